/**
 * The patcher's private working copy, so the user's checkout is never disturbed: a local
 * repository gets a detached `git worktree` in a scratch directory (its branch and files stay as
 * they are; only the new branch ref appears), a URL is cloned into a scratch directory. Both live
 * under `<workspace root>/.cc-patcher/` and are removed when the attempt ends.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Git } from './git.js';
import { remoteFailure } from './push.js';
import { isInside } from './repo-paths.js';
import type { RepositorySource } from './repository-source.js';

/** Name of the scratch directory under a workspace root. */
export const scratchDirName = '.cc-patcher';

/** A prepared repository: refs are read in `repoDir`, files change in `dir` after `checkout`. */
export interface WorkingCopy {
  kind: RepositorySource['kind'];
  /** The repository whose refs the patch reads and writes (the user's, or the clone). */
  repoDir: string;
  /** The working tree the change is made in (real path); valid after {@link checkout}. */
  dir: string;
  /** Checks out `commit` (detached) in `dir`. */
  checkout(commit: string): Promise<void>;
  /** Removes the worktree or clone and the scratch directory; never throws. */
  cleanup(): Promise<void>;
}

/**
 * Prepares the working copy. For a clone, `cloneEnv` carries the credentials (as `GIT_CONFIG_*`
 * entries). `cleanupGit` runs the removal even after the attempt's signal aborted.
 */
export async function prepareWorkingCopy(
  source: RepositorySource,
  roots: readonly string[],
  git: Git,
  cleanupGit: Git,
  cloneEnv: Record<string, string>,
  label: string,
): Promise<WorkingCopy> {
  const scratch = await createScratch(
    roots,
    source.kind === 'worktree' ? source.repo : undefined,
    label,
  );
  const removeScratch = async () => {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    // The parent is shared by concurrent attempts; remove it only when it is empty.
    await rmdir(join(scratch, '..')).catch(() => undefined);
  };
  if (source.kind === 'clone') {
    const dir = join(scratch, 'repo');
    try {
      await git.run(['clone', '--no-checkout', '--no-local', '--quiet', '--', source.url, dir], {
        cwd: scratch,
        env: cloneEnv,
      });
    } catch (err) {
      await removeScratch();
      throw remoteFailure(err, `cloning ${source.url}`);
    }
    return {
      kind: 'clone',
      repoDir: dir,
      dir,
      checkout: async (commit) => {
        await git.run(['checkout', '--quiet', '--detach', commit], { cwd: dir });
      },
      cleanup: removeScratch,
    };
  }
  const dir = join(scratch, 'worktree');
  let added = false;
  return {
    kind: 'worktree',
    repoDir: source.repo,
    dir,
    checkout: async (commit) => {
      added = true;
      await git.run(['worktree', 'add', '--quiet', '--detach', dir, commit], { cwd: source.repo });
    },
    cleanup: async () => {
      if (added) {
        await cleanupGit
          .run(['worktree', 'remove', '--force', dir], { cwd: source.repo })
          .catch(() => undefined);
        await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
        // Drops the worktree's metadata in .git if `remove` could not (e.g. it was interrupted).
        await cleanupGit.run(['worktree', 'prune'], { cwd: source.repo }).catch(() => undefined);
      }
      await removeScratch();
    },
  };
}

/**
 * Creates `<root>/.cc-patcher/<label>-<random>` under the first workspace root that is not
 * inside `repo` (a scratch directory inside the user's working tree would show in its status);
 * the system temporary directory when every root is. Returns its real path.
 */
async function createScratch(
  roots: readonly string[],
  repo: string | undefined,
  label: string,
): Promise<string> {
  let base: string | undefined;
  for (const [i, root] of roots.entries()) {
    const real = await realpath(root).catch(() => undefined);
    // The first root is created when missing (a fresh hub's default root); later ones are skipped.
    if (real === undefined && i > 0) continue;
    const candidate = real ?? root;
    if (repo === undefined || !isInside(repo, candidate)) {
      base = join(candidate, scratchDirName);
      break;
    }
  }
  base ??= join(tmpdir(), scratchDirName);
  const dir = join(
    base,
    `${label.replace(/[^A-Za-z0-9._-]/g, '-')}-${randomBytes(4).toString('hex')}`,
  );
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return realpath(dir);
}
