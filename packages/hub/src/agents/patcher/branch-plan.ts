/**
 * Which commit the change starts from and which branch it lands on: the base branch (given, or
 * the repository's current/default branch), the new branch (given, or `cc/<run>-<step>`), and
 * what to do when that branch exists — refuse, commit on top (`reuseBranch`), or resume the
 * commit an earlier attempt of the same step made (idempotency, see {@link stepTrailer}).
 */
import type { ExecutionRequest } from '@commandcenter/protocol';
import { StepFailure } from '../../executors/builtin.js';
import { GitError, type Git } from './git.js';

/** The commit-message trailer that ties a commit to the step (its idempotency key). */
export const stepTrailer = 'CommandCenter-Step';

/** What {@link planBranch} decided. */
export interface BranchPlan {
  baseBranch: string;
  /** The tip of the base branch. */
  baseCommit: string;
  branch: string;
  /** Tip of `branch` when it exists. */
  branchTip?: string;
  /** The commit the change is applied on top of. */
  start: string;
  /** Set when `branch`'s tip is this step's commit from an earlier attempt (same key and message). */
  resume?: { commit: string; tree: string };
}

/** How branches are named in the repository being read. */
export interface RefNaming {
  /** Where refs are read (the user's repository, or the clone). */
  repoDir: string;
  /** Prefix of the refs that hold branches: `refs/heads/` locally, `refs/remotes/origin/` in a clone. */
  branchRefPrefix: string;
  /** Also look up a missing base branch here (a local repository's remote-tracking refs). */
  fallbackPrefix?: string;
}

/** The default branch name: `cc/<first 8 characters of the run id>-<step key>`. */
export function defaultBranchName(request: ExecutionRequest): string {
  const run = request.run.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  const step = request.step.key.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return `cc/${run}-${step || request.step.id}`;
}

/** Decides base, branch and start commit; throws a non-retryable {@link StepFailure} when refused. */
export async function planBranch(
  git: Git,
  naming: RefNaming,
  input: { baseBranch?: string; branch: string; reuseBranch: boolean; message: string },
  idempotencyKey: string,
): Promise<BranchPlan> {
  const cwd = naming.repoDir;
  await checkBranchName(git, cwd, input.branch, 'branch');
  const baseBranch = input.baseBranch ?? (await currentBranch(git, cwd));
  await checkBranchName(git, cwd, baseBranch, 'baseBranch');
  const baseCommit =
    (await resolveCommit(git, cwd, naming.branchRefPrefix + baseBranch)) ??
    (naming.fallbackPrefix && (await resolveCommit(git, cwd, naming.fallbackPrefix + baseBranch)));
  if (!baseCommit) {
    throw refuse(
      `base branch "${baseBranch}" does not exist in the repository (or has no commits); set ` +
        'baseBranch to an existing branch',
    );
  }
  if (input.branch === baseBranch) {
    throw refuse(`branch "${input.branch}" is the base branch; choose a new branch name`);
  }
  const branchTip = await resolveCommit(git, cwd, naming.branchRefPrefix + input.branch);
  if (!branchTip) return { baseBranch, baseCommit, branch: input.branch, start: baseCommit };
  const resume = await earlierAttempt(git, cwd, branchTip, idempotencyKey, input.message);
  if (resume) {
    const parent = await resolveCommit(git, cwd, `${branchTip}^1`);
    if (parent)
      return { baseBranch, baseCommit, branch: input.branch, branchTip, start: parent, resume };
  }
  if (!input.reuseBranch) {
    throw refuse(
      `branch "${input.branch}" already exists; set reuseBranch: true to commit on top of it, ` +
        'or choose another branch name (or leave branch unset for a fresh cc/<run>-<step> branch)',
    );
  }
  return { baseBranch, baseCommit, branch: input.branch, branchTip, start: branchTip };
}

/** Whether `tip` carries this step's trailer and message; returns its commit and tree when so. */
async function earlierAttempt(
  git: Git,
  cwd: string,
  tip: string,
  key: string,
  message: string,
): Promise<{ commit: string; tree: string } | undefined> {
  const format = `%T%x00%(trailers:key=${stepTrailer},valueonly,unfold)%x00%B`;
  const { stdout } = await git.run(['log', '-1', `--format=${format}`, tip, '--'], { cwd });
  const [tree = '', trailers = '', body = ''] = stdout.split('\0');
  if (!trailers.split('\n').some((v) => v.trim() === key)) return undefined;
  const trailerLine = new RegExp(`^${stepTrailer}:.*$`, 'gim');
  if (normalizeMessage(body.replace(trailerLine, '')) !== normalizeMessage(message))
    return undefined;
  return { commit: tip, tree: tree.trim() };
}

/** Messages compared as git stores them: trailing spaces and blank edge lines do not count. */
function normalizeMessage(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

async function currentBranch(git: Git, cwd: string): Promise<string> {
  const { stdout, exitCode } = await git.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd,
    okExitCodes: [1],
  });
  if (exitCode !== 0 || !stdout.trim()) {
    throw refuse(
      "the repository's HEAD is detached, so there is no current branch; set baseBranch",
    );
  }
  return stdout.trim();
}

/** The commit `ref` points to, or undefined when it does not exist. */
export async function resolveCommit(
  git: Git,
  cwd: string,
  ref: string,
): Promise<string | undefined> {
  const { stdout, exitCode } = await git.run(
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    { cwd, okExitCodes: [1, 128] },
  );
  return exitCode === 0 ? stdout.trim() : undefined;
}

async function checkBranchName(git: Git, cwd: string, name: string, field: string): Promise<void> {
  const invalid = () =>
    refuse(
      `${field} "${name}" is not a valid branch name (no spaces, "..", "~", "^", ":", "?", "*", ` +
        '"[", "\\", "@{", no leading "-", no trailing "/" or ".lock")',
    );
  if (name.startsWith('-') || name.includes('@{')) throw invalid();
  try {
    const { stdout } = await git.run(['check-ref-format', '--branch', name], { cwd });
    if (stdout.trim() !== name) throw invalid();
  } catch (err) {
    if (err instanceof GitError && err.kind === 'exit') throw invalid();
    throw err;
  }
}

function refuse(message: string): StepFailure {
  return new StepFailure(`${message}.`, { retryable: false, code: 'CC_E_AGENT_ERROR' });
}
