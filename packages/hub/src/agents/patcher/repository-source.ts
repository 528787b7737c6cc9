/**
 * Where the patcher's repository comes from, and which remotes it may reach: a local working
 * repository inside the workspace roots (changed through a temporary worktree), or something to
 * clone (an https/http URL, or a local bare repository / file:// URL inside the roots). Remote
 * hosts pass the SSRF guard before git contacts them.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StepFailure } from '../../executors/builtin.js';
import { EgressRefusedError, GuardedFetchError, guardedFetch } from '../../net/guarded-fetch.js';
import { GitError, type Git } from './git.js';
import { isInside } from './repo-paths.js';

/** The repository to change. */
export type RepositorySource =
  | { kind: 'worktree'; /** Real path of the working tree's top level. */ repo: string }
  | { kind: 'clone'; /** What `git clone` is given. */ url: string; remote: boolean };

const urlPattern = /^([a-z][a-z0-9+.-]*):\/\//i;
const scpLike = /^[^/\s]+@[^/\s]+:/;

/** Resolves the `repository` input; throws a non-retryable {@link StepFailure} when refused. */
export async function resolveRepository(
  input: string,
  roots: readonly string[],
  git: Git,
): Promise<RepositorySource> {
  const scheme = urlPattern.exec(input)?.[1]?.toLowerCase();
  if (scheme === 'https' || scheme === 'http')
    return { kind: 'clone', url: httpUrl(input), remote: true };
  if (scheme === 'file') {
    const path = await insideRoots(fileURLToPath(input), roots, input);
    return { kind: 'clone', url: path, remote: false };
  }
  if (scheme !== undefined || scpLike.test(input)) throw unsupportedUrl('repository', input);
  const path = await insideRoots(resolve(roots[0] ?? '/', input), roots, input);
  const bare = await gitAnswer(git, path, ['rev-parse', '--is-bare-repository'], input);
  if (bare === 'true') {
    const gitDir = await gitAnswer(git, path, ['rev-parse', '--absolute-git-dir'], input);
    return { kind: 'clone', url: await insideRoots(gitDir, roots, input), remote: false };
  }
  const top = await gitAnswer(git, path, ['rev-parse', '--show-toplevel'], input);
  return { kind: 'worktree', repo: await insideRoots(top, roots, input) };
}

/**
 * Checks a remote URL of a local repository (as `git remote get-url --push` prints it) before a
 * push: local paths must lie inside the workspace roots, http(s) hosts pass the SSRF guard.
 */
export async function checkRemoteUrl(
  url: string,
  repoDir: string,
  roots: readonly string[],
  allowHosts: readonly string[] | undefined,
  signal: AbortSignal,
): Promise<void> {
  const scheme = urlPattern.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'https' || scheme === 'http') {
    return preflight(httpUrl(url), 'git-receive-pack', allowHosts, signal);
  }
  if (scheme === 'file') return void (await insideRoots(fileURLToPath(url), roots, url));
  if (scheme !== undefined || scpLike.test(url)) throw unsupportedUrl('the push remote', url);
  await insideRoots(resolve(repoDir, url), roots, url);
}

/**
 * Asks the SSRF guard about a git HTTP remote by making the request git makes first
 * (`info/refs`), without credentials. Only the guard's verdict matters, not the answer.
 */
export async function preflight(
  url: string,
  service: 'git-upload-pack' | 'git-receive-pack',
  allowHosts: readonly string[] | undefined,
  signal: AbortSignal,
): Promise<void> {
  const probe = `${url.replace(/\/+$/, '')}/info/refs?service=${service}`;
  try {
    await guardedFetch(probe, { allowHosts, signal, maxResponseBytes: 64 * 1024 });
  } catch (err) {
    if (err instanceof EgressRefusedError) {
      throw new StepFailure(err.message, {
        retryable: false,
        code: 'CC_E_EGRESS_REFUSED',
        details: { url: err.url, reason: err.reason },
      });
    }
    if (err instanceof GuardedFetchError && err.kind === 'too-large') return;
    if (err instanceof GuardedFetchError && err.kind !== 'aborted') {
      throw new StepFailure(`cannot reach the git remote: ${err.message}`, {
        retryable: true,
        code: 'CC_E_AGENT_ERROR',
      });
    }
    throw err;
  }
}

function httpUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalidRepository(input, 'it is not a valid URL');
  }
  if (url.username || url.password) {
    throw invalidRepository(
      input.replace(/\/\/[^@/]*@/, '//***@'),
      'it carries credentials; pass the token as forge.token ({{ secrets.FORGE_TOKEN }}) instead',
    );
  }
  return url.href;
}

async function insideRoots(path: string, roots: readonly string[], input: string): Promise<string> {
  if (roots.length === 0) {
    throw invalidRepository(input, 'the hub has no workspace roots; set CC_WORKSPACE_ROOTS');
  }
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined) {
    throw invalidRepository(input, `${path} does not exist`);
  }
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined && isInside(realRoot, real)) return real;
  }
  throw invalidRepository(
    input,
    `it resolves to ${real}, outside the workspace roots (${roots.join(', ')}); put the ` +
      'repository under a workspace root or have the hub admin add its directory to CC_WORKSPACE_ROOTS',
  );
}

async function gitAnswer(git: Git, cwd: string, args: string[], input: string): Promise<string> {
  try {
    return (await git.run(args, { cwd })).stdout.trim();
  } catch (err) {
    if (err instanceof GitError && err.kind === 'exit') {
      throw invalidRepository(input, `git cannot use it as a repository (${err.stderr})`);
    }
    throw err;
  }
}

function unsupportedUrl(field: string, url: string): StepFailure {
  return invalidRepository(
    url.replace(/\/\/[^@/]*@/, '//***@'),
    `${field} uses a transport the patcher does not support; use an https:// (or http://) URL ` +
      'with forge.token, or a local bare repository inside the workspace roots (ssh is not supported)',
  );
}

function invalidRepository(input: string, why: string): StepFailure {
  return new StepFailure(`repository "${input}" cannot be used: ${why}.`, {
    retryable: false,
    code: 'CC_E_AGENT_ERROR',
  });
}
