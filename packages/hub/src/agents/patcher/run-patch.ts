/**
 * One `apply` or `preview` attempt, start to end: check the input's paths by their text, resolve
 * the repository, decide the push, prepare a private working copy, plan the branch, check the
 * paths on disk and apply the change, then (apply only) commit, push and open the pull request.
 * The working copy and the temporary HOME are removed whatever happens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepFailure, type BuiltinContext } from '../../executors/builtin.js';
import { planBranch, stepTrailer, type BranchPlan } from './branch-plan.js';
import { applyDiff, parseDiffInput } from './diff-input.js';
import { stagedDiff, stagedFiles } from './files-changed.js';
import { Git, GitError } from './git.js';
import { defaultAuthor, resolveInput, type ResolvedInput } from './input.js';
import type { ApplyOutput, FileChanged, PreviewOutput } from './manifest.js';
import { findPullRequest, openPullRequest } from './pull-request.js';
import { gitAuthEnv, pushBranch } from './push.js';
import { planPush, type PushTarget } from './push-plan.js';
import { Redactor } from './redact.js';
import { preflight, resolveRepository } from './repository-source.js';
import { applyChanges, checkChanges } from './structured-changes.js';
import { prepareWorkingCopy, type WorkingCopy } from './working-copy.js';

/** Hub-level settings of the patcher, defaults applied. */
export interface PatcherSettings {
  workspaceRoots: readonly string[];
  gitPath: string;
  gitTimeoutMs: number;
  httpTimeoutMs: number;
  maxPreviewDiffBytes: number;
}

/** What the attempt works with. */
interface Attempt {
  settings: PatcherSettings;
  input: ResolvedInput;
  ctx: BuiltinContext;
  git: Git;
  redactor: Redactor;
  log(line: string): void;
}

/** Runs `apply` (commit, push, pull request) or `preview` (report only) for one attempt. */
export async function runPatch(
  mode: 'apply',
  settings: PatcherSettings,
  raw: unknown,
  ctx: BuiltinContext,
): Promise<ApplyOutput>;
export async function runPatch(
  mode: 'preview',
  settings: PatcherSettings,
  raw: unknown,
  ctx: BuiltinContext,
): Promise<PreviewOutput>;
export async function runPatch(
  mode: 'apply' | 'preview',
  settings: PatcherSettings,
  raw: unknown,
  ctx: BuiltinContext,
): Promise<ApplyOutput | PreviewOutput> {
  const input = resolveInput(raw, ctx.request);
  const redactor = new Redactor().add(input.forge?.token);
  for (const v of Object.values(ctx.secrets ?? {})) redactor.add(v);
  const home = await mkdtemp(join(tmpdir(), 'cc-patcher-home-'));
  const gitOptions = {
    gitPath: settings.gitPath,
    home,
    redactor,
    identity: defaultAuthor,
    timeoutMs: settings.gitTimeoutMs,
  };
  const git = new Git({ ...gitOptions, signal: ctx.signal });
  // Cleanup must still run after the attempt's signal aborted (timeout, cancellation).
  const cleanupGit = new Git({ ...gitOptions, signal: new AbortController().signal });
  const log = (line: string) => ctx.log(redactor.apply(`patcher: ${line}`));
  const attempt: Attempt = { settings, input, ctx, git, redactor, log };
  let copy: WorkingCopy | undefined;
  try {
    // Text checks first: a refused path stops the attempt before anything is cloned or written.
    const diff = input.diff !== undefined ? parseDiffInput(input.diff) : undefined;
    if (input.changes) checkChanges(input.changes);
    const roots = settings.workspaceRoots;
    const source = await resolveRepository(input.repository, roots, git);
    const pushContext = {
      git,
      source,
      roots,
      allowHosts: ctx.allowHosts,
      signal: ctx.signal,
      redactor,
    };
    const target = mode === 'apply' ? await planPush(input, pushContext) : undefined;
    let cloneEnv: Record<string, string> = {};
    if (source.kind === 'clone' && source.remote) {
      await preflight(source.url, 'git-upload-pack', ctx.allowHosts, ctx.signal);
      cloneEnv = gitAuthEnv(input.forge, [source.url], redactor);
    }
    const label = `${ctx.request.run.id.slice(0, 8)}-${ctx.request.step.key}`;
    copy = await prepareWorkingCopy(source, roots, git, cleanupGit, cloneEnv, label);
    const plan = await planBranch(
      git,
      copy.kind === 'clone'
        ? { repoDir: copy.repoDir, branchRefPrefix: 'refs/remotes/origin/' }
        : {
            repoDir: copy.repoDir,
            branchRefPrefix: 'refs/heads/',
            fallbackPrefix: `refs/remotes/${input.remote}/`,
          },
      input,
      ctx.request.idempotencyKey,
    );
    log(
      `${copy.kind} of ${input.repository}: ${plan.branch} from ${plan.baseBranch} at ${plan.start}`,
    );
    await copy.checkout(plan.start);
    if (diff) await applyDiff(git, copy.dir, diff);
    else await applyChanges(git, copy.dir, input.changes ?? []);
    const files = await stagedFiles(git, copy.dir, plan.start);
    if (files.length === 0) {
      throw new StepFailure(
        `nothing to commit: the change leaves ${plan.branchTip ? plan.branch : plan.baseBranch} ` +
          'exactly as it is (is it already applied?).',
        { retryable: false, code: 'CC_E_AGENT_ERROR' },
      );
    }
    const listed = files.slice(0, 20).map((f) => `${f.status} ${f.path}`);
    if (files.length > 20) listed.push(`and ${files.length - 20} more`);
    log(`${files.length} file(s) changed: ${listed.join(', ')}`);
    if (mode === 'preview') return await preview(attempt, copy, plan, files);
    return await commitAndPublish(attempt, copy, plan, files, target);
  } catch (err) {
    throw redactError(err, redactor);
  } finally {
    await copy?.cleanup();
    await rm(home, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function preview(
  a: Attempt,
  copy: WorkingCopy,
  plan: BranchPlan,
  files: FileChanged[],
): Promise<PreviewOutput> {
  const { diff, truncated } = await stagedDiff(
    a.git,
    copy.dir,
    plan.start,
    a.settings.maxPreviewDiffBytes,
  );
  return {
    branch: plan.branch,
    baseBranch: plan.baseBranch,
    baseCommit: plan.start,
    branchExists: plan.branchTip !== undefined,
    filesChanged: files,
    diff: a.redactor.apply(diff),
    diffTruncated: truncated,
  };
}

async function commitAndPublish(
  a: Attempt,
  copy: WorkingCopy,
  plan: BranchPlan,
  files: FileChanged[],
  target: PushTarget | undefined,
): Promise<ApplyOutput> {
  const { input, git, log } = a;
  let commit: string;
  const resumed = plan.resume !== undefined;
  if (plan.resume) {
    const tree = (await git.run(['write-tree'], { cwd: copy.dir })).stdout.trim();
    if (tree !== plan.resume.tree) {
      throw new StepFailure(
        `branch "${plan.branch}" holds a commit of an earlier attempt of this step with other ` +
          'file contents than this attempt produces; delete the branch or choose another branch name.',
        { retryable: false, code: 'CC_E_AGENT_ERROR', details: { commit: plan.resume.commit } },
      );
    }
    commit = plan.resume.commit;
    log(`${plan.branch} already holds this step's commit ${commit} (earlier attempt); resuming`);
  } else {
    commit = await makeCommit(a, copy.dir);
    if (copy.kind === 'worktree') {
      // The expected old value makes this fail, not overwrite, if the branch moved meanwhile.
      await git.run(
        [
          'update-ref',
          '-m',
          'commandcenter patcher',
          `refs/heads/${plan.branch}`,
          commit,
          plan.branchTip ?? '',
        ],
        { cwd: copy.dir },
      );
    }
    log(`committed ${commit} on ${plan.branch}`);
  }
  if (target) {
    await pushBranch(git, copy.dir, target.remote, commit, plan.branch, target.env);
    log(`pushed ${plan.branch} to ${target.remote}`);
  }
  const output: ApplyOutput = {
    branch: plan.branch,
    baseBranch: plan.baseBranch,
    commit,
    filesChanged: files,
    pushed: target !== undefined,
    resumed,
  };
  if (input.pullRequest && input.forge) {
    const http = {
      allowHosts: a.ctx.allowHosts,
      signal: a.ctx.signal,
      timeoutMs: a.settings.httpTimeoutMs,
      redactor: a.redactor,
    };
    const spec = {
      title: input.pullRequest.title,
      body: input.pullRequest.body ?? '',
      draft: input.pullRequest.draft ?? false,
      head: plan.branch,
      base: plan.baseBranch,
    };
    const existing = resumed
      ? await findPullRequest(input.forge, spec.head, spec.base, http)
      : undefined;
    output.pullRequest = existing ?? (await openPullRequest(input.forge, spec, http));
    log(`pull request #${output.pullRequest.number}: ${output.pullRequest.url}`);
  }
  return output;
}

async function makeCommit(a: Attempt, dir: string): Promise<string> {
  const { name, email } = a.input.author;
  await a.git.run(
    [
      'commit',
      '--quiet',
      '--no-verify',
      '--cleanup=whitespace',
      `--author=${name} <${email}>`,
      `--trailer=${stepTrailer}: ${a.ctx.request.idempotencyKey}`,
      '--file=-',
    ],
    { cwd: dir, input: a.input.message },
  );
  return (await a.git.run(['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
}

/** Every error leaving the patcher, with secrets masked in its message and details. */
function redactError(err: unknown, redactor: Redactor): unknown {
  if (err instanceof StepFailure) {
    return new StepFailure(redactor.apply(err.message), {
      retryable: err.retryable,
      code: err.code,
      details: redactor.deep(err.details),
    });
  }
  if (err instanceof GitError && err.kind === 'missing') {
    return new StepFailure(err.message, { retryable: false, code: 'CC_E_AGENT_ERROR' });
  }
  if (err instanceof Error) {
    const safe = new Error(redactor.apply(err.message));
    safe.name = err.name;
    return safe;
  }
  return new Error(redactor.apply(String(err)));
}
