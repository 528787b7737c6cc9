/**
 * Test support for the patcher's tests: a temporary workspace root with real git repositories,
 * the attempt context (collected log lines, request), a snapshot of the user's checkout, and
 * checks of outputs and failures. Nothing in the hub imports it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExecutionRequest } from '@commandcenter/protocol';
import type { BuiltinContext } from '../../executors/builtin.js';
import { assertConformsToOutput } from '../../testing/builtin-agent-support.js';
import { createPatcherActions } from './actions.js';
import { manifest } from './manifest.js';
import { scratchDirName } from './working-copy.js';

/** A workspace root (real path) with the patcher's actions bound to it. */
export interface TestWorkspace {
  root: string;
  actions: ReturnType<typeof createPatcherActions>;
  /** Runs git in `cwd` as a user would (own identity, no global config). */
  git(cwd: string, ...args: string[]): string;
  /** Creates a repository at `<root>/<name>` on branch `main` with `files`, committed. */
  repo(name: string, files: Record<string, string>): string;
  /** Creates a bare repository at `<root>/<name>`. */
  bare(name: string): string;
  /** Whether a patcher scratch directory is left under the root. */
  scratchLeft(): boolean;
  cleanup(): void;
}

/** Creates a workspace under the system temporary directory. */
export function createWorkspace(): TestWorkspace {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'cc-patcher-test-')));
  const home = join(root, '.home');
  mkdirSync(home);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Dev',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Dev',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
  };
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    root,
    actions: createPatcherActions({ workspaceRoots: [root] }),
    git,
    repo(name, files) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      git(dir, 'init', '--quiet', '--initial-branch=main');
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      git(dir, 'add', '--all');
      git(dir, 'commit', '--quiet', '-m', 'initial');
      return dir;
    },
    bare(name) {
      const dir = join(root, name);
      git(root, 'init', '--quiet', '--bare', '--initial-branch=main', dir);
      return dir;
    },
    scratchLeft: () => existsSync(join(root, scratchDirName)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The context of one attempt. */
export interface TestContext extends BuiltinContext {
  logs: string[];
  controller: AbortController;
}

/** A context for attempt `attempt` of step `key` of run `runId`. */
export function testContext(
  opts: { attempt?: number; key?: string; runId?: string; allowHosts?: string[] } = {},
): TestContext {
  const logs: string[] = [];
  const controller = new AbortController();
  const runId = opts.runId ?? '5f0c2a9e-1111-4222-8333-944455556666';
  const key = opts.key ?? 'fix';
  const request: ExecutionRequest = {
    action: 'apply',
    input: {},
    run: { id: runId, project: 'shop', workflow: 'autofix', version: 1 },
    step: { id: key, key },
    attempt: opts.attempt ?? 1,
    idempotencyKey: `${runId}:${key}`,
  };
  return {
    logs,
    controller,
    signal: controller.signal,
    log: (line) => logs.push(line),
    allowHosts: opts.allowHosts,
    request,
  };
}

/** What a user sees of their checkout: branch, HEAD, status and worktrees. */
export function checkoutState(ws: TestWorkspace, repo: string): Record<string, string> {
  return {
    branch: ws.git(repo, 'symbolic-ref', '--short', 'HEAD').trim(),
    head: ws.git(repo, 'rev-parse', 'HEAD').trim(),
    status: ws.git(repo, 'status', '--porcelain=v1', '--untracked-files=all'),
    diff: ws.git(repo, 'diff', 'HEAD'),
    worktrees: ws.git(repo, 'worktree', 'list', '--porcelain').replace(/\n\n$/, ''),
  };
}

/** Asserts that `output` conforms to the action's output schema in the manifest. */
export function assertOutput(action: 'apply' | 'createFixPR' | 'preview', output: unknown): void {
  assertConformsToOutput(manifest, action, output);
}

export { failureOf } from '../../testing/builtin-agent-support.js';
