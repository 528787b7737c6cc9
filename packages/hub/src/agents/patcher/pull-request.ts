/**
 * Opens the pull request through the SSRF guard and turns every forge answer into an outcome:
 * 201 → the pull request; 4xx → a non-retryable failure with the forge's own message (an
 * existing pull request named as such); 5xx, 408, 429 and network trouble → retryable.
 */
import { StepFailure } from '../../executors/builtin.js';
import {
  EgressRefusedError,
  GuardedFetchError,
  guardedFetch,
  type GuardedResponse,
} from '../../net/guarded-fetch.js';
import {
  createRequest,
  findInList,
  findRequest,
  readCreated,
  type ForgeRequest,
  type PullRequestRef,
  type PullRequestSpec,
} from './forge-api.js';
import type { ForgeSettings } from './manifest.js';
import type { Redactor } from './redact.js';

/** How forge requests are made. */
export interface ForgeHttp {
  allowHosts?: readonly string[];
  signal: AbortSignal;
  timeoutMs: number;
  redactor: Redactor;
}

/** Opens the pull request; throws {@link StepFailure} with the forge's message when refused. */
export async function openPullRequest(
  forge: ForgeSettings,
  pr: PullRequestSpec,
  http: ForgeHttp,
): Promise<PullRequestRef> {
  http.redactor.add(forge.token);
  const res = await send(createRequest(forge, pr), http);
  if (res.status === 200 || res.status === 201) {
    const created = readCreated(forge, parseJson(res));
    if (created) return created;
    throw new StepFailure(
      `${forge.type} answered ${res.status} but without the pull request's number and URL: ` +
        `${excerpt(res, http)}. Check that forge.apiUrl is the API base URL.`,
      { retryable: false, code: 'CC_E_DELIVERY_FAILED', details: { status: res.status } },
    );
  }
  throw forgeFailure(forge, pr, res, http);
}

/** The open pull request from `head` into `base`, if the forge lists one. */
export async function findPullRequest(
  forge: ForgeSettings,
  head: string,
  base: string,
  http: ForgeHttp,
): Promise<PullRequestRef | undefined> {
  http.redactor.add(forge.token);
  const res = await send(findRequest(forge, head, base), http);
  if (res.status !== 200) return undefined;
  return findInList(forge, parseJson(res), head, base);
}

async function send(req: ForgeRequest, http: ForgeHttp): Promise<GuardedResponse> {
  try {
    return await guardedFetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      allowHosts: http.allowHosts,
      signal: http.signal,
      timeoutMs: http.timeoutMs,
      maxRedirects: 0,
      maxResponseBytes: 4 * 1024 * 1024,
    });
  } catch (err) {
    if (err instanceof EgressRefusedError) {
      throw new StepFailure(http.redactor.apply(err.message), {
        retryable: false,
        code: 'CC_E_EGRESS_REFUSED',
        details: { url: err.url, reason: err.reason },
      });
    }
    if (err instanceof GuardedFetchError && err.kind !== 'aborted') {
      throw new StepFailure(
        `the forge API could not be reached: ${http.redactor.apply(err.message)}`,
        {
          retryable: err.kind === 'timeout' || err.kind === 'network',
          code: 'CC_E_DELIVERY_FAILED',
          details: { url: err.url, kind: err.kind },
        },
      );
    }
    throw err;
  }
}

function forgeFailure(
  forge: ForgeSettings,
  pr: PullRequestSpec,
  res: GuardedResponse,
  http: ForgeHttp,
): StepFailure {
  const message = forgeMessage(res, http);
  const details = { status: res.status, forge: forge.type, repo: forge.repo, message };
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  const prefix = `${forge.type} refused to open the pull request (${res.status}): ${message}`;
  let hint = '';
  if (/already exists/i.test(message) || (res.status === 409 && forge.type !== 'github')) {
    return new StepFailure(
      `a pull request from ${pr.head} into ${pr.base} already exists on ${forge.repo} ` +
        `(${forge.type} said: ${message}). Close it, or push to a new branch name.`,
      { retryable: false, code: 'CC_E_DELIVERY_FAILED', details },
    );
  }
  if (res.status === 401) hint = ' Check forge.token: it is missing, expired or revoked.';
  else if (res.status === 403) {
    hint = ' The token lacks permission to open pull requests on this repository.';
  } else if (res.status === 404) {
    hint = ' Check forge.repo and forge.apiUrl, and that the token can see the repository.';
  } else if (res.status === 422) {
    hint = ' Check that the base branch exists on the forge and that the branch was pushed.';
  } else if (retryable) hint = ' The forge is unavailable; the step may be retried.';
  return new StepFailure(`${prefix}.${hint}`, { retryable, code: 'CC_E_DELIVERY_FAILED', details });
}

/** The forge's own words: `message`, plus GitHub's `errors[].message` and GitLab's lists. */
function forgeMessage(res: GuardedResponse, http: ForgeHttp): string {
  const body = parseJson(res);
  const parts: string[] = [];
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; error?: unknown; errors?: unknown };
    for (const v of [b.message, b.error].flat()) if (typeof v === 'string') parts.push(v);
    if (Array.isArray(b.errors)) {
      for (const e of b.errors as unknown[]) {
        const m = typeof e === 'string' ? e : (e as { message?: unknown } | null)?.message;
        if (typeof m === 'string') parts.push(m);
      }
    }
  }
  return parts.length > 0 ? http.redactor.apply(parts.join('; ')) : excerpt(res, http);
}

function parseJson(res: GuardedResponse): unknown {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

function excerpt(res: GuardedResponse, http: ForgeHttp): string {
  const text = res.text().replace(/\s+/g, ' ').trim();
  return http.redactor.apply(text.length > 300 ? `${text.slice(0, 300)}…` : text || '(empty body)');
}
