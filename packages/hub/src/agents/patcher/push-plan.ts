/**
 * Whether and where `apply` pushes, decided before anything is written: a clone always pushes to
 * the URL it came from (the clone is temporary, an unpushed commit would be lost); a local
 * repository pushes to `remote` when asked, or by default when it has that remote and a forge
 * token is given. Every push URL is checked (workspace roots, SSRF guard) before git uses it.
 */
import { StepFailure } from '../../executors/builtin.js';
import type { Git } from './git.js';
import type { ResolvedInput } from './input.js';
import { gitAuthEnv } from './push.js';
import type { Redactor } from './redact.js';
import { checkRemoteUrl, type RepositorySource } from './repository-source.js';

/** Where the branch goes. */
export interface PushTarget {
  /** Remote name in the working copy. */
  remote: string;
  /** `GIT_CONFIG_*` entries carrying the token for the remote's origins. */
  env: Record<string, string>;
}

/** What the decision needs. */
export interface PushContext {
  git: Git;
  source: RepositorySource;
  roots: readonly string[];
  allowHosts?: readonly string[];
  signal: AbortSignal;
  redactor: Redactor;
}

/** The push target, or undefined when `apply` does not push. Throws when the input cannot be met. */
export async function planPush(
  input: ResolvedInput,
  c: PushContext,
): Promise<PushTarget | undefined> {
  if (c.source.kind === 'clone') {
    if (input.push === false) {
      throw refuse(
        'push: false cannot be used with a repository URL: the clone is temporary, so the commit ' +
          'would be lost. Use the preview action to check a change without pushing, or give a ' +
          'local repository path',
      );
    }
    // The clone URL passed the SSRF guard before it was cloned; pushing goes to the same URL.
    return { remote: 'origin', env: gitAuthEnv(input.forge, [c.source.url], c.redactor) };
  }
  const repo = c.source.repo;
  const { stdout, exitCode } = await c.git.run(
    ['remote', 'get-url', '--push', '--all', '--', input.remote],
    { cwd: repo, okExitCodes: [2, 128] },
  );
  const urls = exitCode === 0 ? stdout.split('\n').filter((u) => u.trim() !== '') : [];
  const push = input.push ?? (urls.length > 0 && Boolean(input.forge?.token));
  if (!push) {
    if (input.pullRequest) {
      throw refuse(
        `pullRequest needs the branch pushed, but the repository has no remote "${input.remote}"` +
          (urls.length > 0 ? ' and push is off' : '') +
          '; add the remote (or set remote to an existing one)',
      );
    }
    return undefined;
  }
  if (urls.length === 0) {
    throw refuse(
      `push is requested but the repository has no remote "${input.remote}"; add it ` +
        '(git remote add) or set remote to an existing one',
    );
  }
  for (const url of urls) await checkRemoteUrl(url, repo, c.roots, c.allowHosts, c.signal);
  return { remote: input.remote, env: gitAuthEnv(input.forge, urls, c.redactor) };
}

function refuse(message: string): StepFailure {
  return new StepFailure(`${message}. Nothing was written.`, {
    retryable: false,
    code: 'CC_E_AGENT_ERROR',
  });
}
