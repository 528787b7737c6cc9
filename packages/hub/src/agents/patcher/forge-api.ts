/**
 * The three forge APIs the patcher opens pull requests on, as plain request descriptions:
 * GitHub (`POST /repos/{owner}/{repo}/pulls`), Gitea (same path, `token` auth) and GitLab
 * (`POST /projects/{path}/merge_requests`), plus the query that finds an open one again.
 */
import { StepFailure } from '../../executors/builtin.js';
import type { ForgeSettings } from './manifest.js';

/** One HTTP request to a forge. */
export interface ForgeRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A pull (merge) request as the patcher reports it. */
export interface PullRequestRef {
  url: string;
  number: number;
}

/** What the pull request says. */
export interface PullRequestSpec {
  title: string;
  body: string;
  draft: boolean;
  head: string;
  base: string;
}

const defaultApiUrls: Partial<Record<ForgeSettings['type'], string>> = {
  github: 'https://api.github.com',
  gitlab: 'https://gitlab.com/api/v4',
};

/** The API base URL without a trailing slash; throws when a gitea forge has none. */
export function apiBase(forge: ForgeSettings): string {
  const url = forge.apiUrl ?? defaultApiUrls[forge.type];
  if (!url) {
    throw new StepFailure(
      'forge.apiUrl is required for gitea: set it to the API base, e.g. https://gitea.example.com/api/v1.',
      { retryable: false },
    );
  }
  return url.replace(/\/+$/, '');
}

function headers(forge: ForgeSettings): Record<string, string> {
  const json = { accept: 'application/json', 'content-type': 'application/json' };
  switch (forge.type) {
    case 'github':
      return {
        ...json,
        authorization: `Bearer ${forge.token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      };
    case 'gitea':
      return { ...json, authorization: `token ${forge.token}` };
    case 'gitlab':
      return { ...json, 'private-token': forge.token };
  }
}

/** `owner/name` split and URL-encoded, for GitHub and Gitea. */
function ownerAndName(forge: ForgeSettings): { owner: string; name: string; path: string } {
  const parts = forge.repo.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new StepFailure(
      `forge.repo "${forge.repo}" must be "owner/name" for ${forge.type} (e.g. "acme/api").`,
      { retryable: false },
    );
  }
  const [owner, name] = parts as [string, string];
  return { owner, name, path: `${encodeURIComponent(owner)}/${encodeURIComponent(name)}` };
}

/** The request that opens the pull request. */
export function createRequest(forge: ForgeSettings, pr: PullRequestSpec): ForgeRequest {
  const base = apiBase(forge);
  if (forge.type === 'gitlab') {
    return {
      method: 'POST',
      url: `${base}/projects/${encodeURIComponent(forge.repo)}/merge_requests`,
      headers: headers(forge),
      body: JSON.stringify({
        source_branch: pr.head,
        target_branch: pr.base,
        title: pr.draft ? `Draft: ${pr.title}` : pr.title,
        description: pr.body,
      }),
    };
  }
  const { path } = ownerAndName(forge);
  const body =
    forge.type === 'github'
      ? { title: pr.title, head: pr.head, base: pr.base, body: pr.body, draft: pr.draft }
      : // Gitea has no draft flag; a "WIP:" title prefix marks work in progress.
        {
          title: pr.draft ? `WIP: ${pr.title}` : pr.title,
          head: pr.head,
          base: pr.base,
          body: pr.body,
        };
  return {
    method: 'POST',
    url: `${base}/repos/${path}/pulls`,
    headers: headers(forge),
    body: JSON.stringify(body),
  };
}

/** The request that lists open pull requests from `head` into `base` (see {@link findInList}). */
export function findRequest(forge: ForgeSettings, head: string, base: string): ForgeRequest {
  const api = apiBase(forge);
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  if (forge.type === 'gitlab') {
    const query = q({ source_branch: head, target_branch: base, state: 'opened' });
    return {
      method: 'GET',
      url: `${api}/projects/${encodeURIComponent(forge.repo)}/merge_requests?${query}`,
      headers: headers(forge),
    };
  }
  const { owner, path } = ownerAndName(forge);
  const query =
    forge.type === 'github'
      ? q({ head: `${owner}:${head}`, base, state: 'open' })
      : q({ state: 'open', sort: 'recentupdate', limit: '50' });
  return { method: 'GET', url: `${api}/repos/${path}/pulls?${query}`, headers: headers(forge) };
}

/** The number and web URL of a created pull request, or undefined when the answer lacks them. */
export function readCreated(forge: ForgeSettings, body: unknown): PullRequestRef | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const number = forge.type === 'gitlab' ? b.iid : b.number;
  const url = forge.type === 'gitlab' ? b.web_url : b.html_url;
  return typeof number === 'number' && typeof url === 'string' ? { number, url } : undefined;
}

/** The open pull request from `head` into `base` in a list answer, if any. */
export function findInList(
  forge: ForgeSettings,
  list: unknown,
  head: string,
  base: string,
): PullRequestRef | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const item of list as Record<string, unknown>[]) {
    if (forge.type === 'gitea') {
      const h = item.head as { ref?: unknown } | undefined;
      const b = item.base as { ref?: unknown } | undefined;
      if (h?.ref !== head || b?.ref !== base) continue;
    }
    const found = readCreated(forge, item);
    if (found) return found;
  }
  return undefined;
}
