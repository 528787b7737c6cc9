/**
 * Pushing the branch. The forge token reaches git as an `http.<remote origin>/.extraHeader`
 * setting passed through `GIT_CONFIG_*` environment variables: scoped to the remote's origin,
 * never on the command line (visible to every local user in the process list), never in the
 * repository's config, and redacted from every message.
 */
import { StepFailure } from '../../executors/builtin.js';
import { GitError, type Git } from './git.js';
import type { ForgeSettings } from './manifest.js';
import type { Redactor } from './redact.js';

/** The HTTP Basic credentials each forge accepts for git over HTTPS with a token. */
function basicCredentials(forge: ForgeSettings): string {
  switch (forge.type) {
    case 'github':
      return `x-access-token:${forge.token}`;
    case 'gitlab':
      return `oauth2:${forge.token}`;
    case 'gitea':
      return `${forge.token}:x-oauth-basic`;
  }
}

/**
 * Environment entries that make git send the forge token to the origins of `remoteUrls` (and
 * nowhere else); empty when there is no token or no http(s) remote. Registers every encoding of
 * the token with `redactor`.
 */
export function gitAuthEnv(
  forge: ForgeSettings | undefined,
  remoteUrls: readonly string[],
  redactor: Redactor,
): Record<string, string> {
  const origins = [
    ...new Set(remoteUrls.filter((u) => /^https?:\/\//i.test(u)).map((u) => new URL(u).origin)),
  ];
  if (!forge?.token || origins.length === 0) return {};
  const encoded = Buffer.from(basicCredentials(forge)).toString('base64');
  redactor.add(forge.token).add(encoded);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(origins.length) };
  origins.forEach((origin, i) => {
    env[`GIT_CONFIG_KEY_${i}`] = `http.${origin}/.extraHeader`;
    env[`GIT_CONFIG_VALUE_${i}`] = `Authorization: Basic ${encoded}`;
  });
  return env;
}

/** Pushes `commit` to `refs/heads/<branch>` of `remote`; failures become {@link StepFailure}s. */
export async function pushBranch(
  git: Git,
  dir: string,
  remote: string,
  commit: string,
  branch: string,
  env: Record<string, string>,
): Promise<void> {
  try {
    await git.run(['push', '--quiet', '--no-verify', remote, `${commit}:refs/heads/${branch}`], {
      cwd: dir,
      env,
    });
  } catch (err) {
    throw remoteFailure(err, `pushing ${branch} to ${remote}`);
  }
}

const rejected = /\[rejected\]|non-fast-forward|fetch first|stale info|\[remote rejected\]/i;
const denied =
  /authentication failed|could not read (username|password)|terminal prompts disabled|\b40[13]\b|permission denied|access denied|not authorized/i;
const missing = /does not appear to be a git repository|repository not found|not found|\b404\b/i;

/**
 * A failed clone or push as a {@link StepFailure}: rejections, refused credentials and missing
 * repositories are final; timeouts and anything else (network trouble) may be retried. Other
 * errors pass through.
 */
export function remoteFailure(err: unknown, doing: string): unknown {
  if (!(err instanceof GitError) || (err.kind !== 'exit' && err.kind !== 'timeout')) return err;
  const git = err.stderr || err.message;
  const details = { git };
  if (err.kind === 'timeout') {
    return new StepFailure(`${doing} timed out: ${err.message}`, { retryable: true, details });
  }
  if (rejected.test(git)) {
    return new StepFailure(
      `${doing} was rejected: ${git}. The branch exists on the remote with other commits; ` +
        'choose another branch name (or delete the remote branch).',
      { retryable: false, details },
    );
  }
  if (denied.test(git)) {
    return new StepFailure(
      `${doing} was refused: ${git}. Give forge.token a token that may read and push the ` +
        'repository (GitHub: contents write; GitLab: write_repository; Gitea: write:repository).',
      { retryable: false, details },
    );
  }
  if (missing.test(git)) {
    return new StepFailure(
      `${doing} failed, the repository was not found: ${git}. Check its URL.`,
      {
        retryable: false,
        details,
      },
    );
  }
  return new StepFailure(`${doing} failed: ${git}`, { retryable: true, details });
}
