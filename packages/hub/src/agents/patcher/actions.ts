/**
 * The actions of the built-in `patcher` agent (`apply`, `preview`), bound to the hub's settings.
 */
import type { BuiltinHandler } from '../../executors/builtin.js';
import { runPatch, type PatcherSettings } from './run-patch.js';

/** Hub-level settings of the patcher. */
export interface PatcherOptions {
  /**
   * Directories (`CC_WORKSPACE_ROOTS`) the patcher may work in: local repositories must lie
   * inside one, clones and temporary worktrees go under `<first root>/.cc-patcher/`.
   */
  workspaceRoots: readonly string[];
  /** The git executable (git ≥ 2.32); default `git` from PATH. */
  gitPath?: string;
  /** Limit of each git command (clone and push included); default 5 minutes. */
  gitTimeoutMs?: number;
  /** Limit of each forge API request; default 30 seconds. */
  httpTimeoutMs?: number;
  /** `preview` cuts its diff at this size; default 256 KiB. */
  maxPreviewDiffBytes?: number;
}

/** Creates the `apply`, `createFixPR` and `preview` handlers. */
export function createPatcherActions(opts: PatcherOptions): Record<string, BuiltinHandler> {
  const settings: PatcherSettings = Object.freeze({
    workspaceRoots: [...opts.workspaceRoots],
    gitPath: opts.gitPath ?? 'git',
    gitTimeoutMs: opts.gitTimeoutMs ?? 5 * 60_000,
    httpTimeoutMs: opts.httpTimeoutMs ?? 30_000,
    maxPreviewDiffBytes: opts.maxPreviewDiffBytes ?? 256 * 1024,
  });
  return {
    apply: (input, ctx) => runPatch('apply', settings, input, ctx),
    createFixPR: (input, ctx) => runPatch('apply', settings, withPullRequest(input), ctx),
    preview: (input, ctx) => runPatch('preview', settings, input, ctx),
  };
}

/** `createFixPR`'s input: a pull request titled after the commit message unless one is given. */
function withPullRequest(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const input = raw as { message?: unknown; pullRequest?: unknown; push?: unknown };
  if (input.pullRequest !== undefined || typeof input.message !== 'string') return raw;
  const title = input.message.split('\n')[0]!.trim() || input.message;
  return { ...input, pullRequest: { title } };
}
