/**
 * The patcher's input, checked against the manifest's schema (the engine checks it too; a direct
 * caller gets the same messages) and completed with its defaults.
 */
import { validateAgainstSchema, type ExecutionRequest } from '@commandcenter/protocol';
import { StepFailure } from '../../executors/builtin.js';
import { defaultBranchName } from './branch-plan.js';
import { manifest, type PatchInput } from './manifest.js';

/** The input with every default applied. */
export interface ResolvedInput extends PatchInput {
  branch: string;
  reuseBranch: boolean;
  author: { name: string; email: string };
  remote: string;
}

/** The committer, and the author when the input names none. */
export const defaultAuthor = { name: 'CommandCenter', email: 'commandcenter@localhost' };

/** Validates `raw` and applies defaults; throws a non-retryable {@link StepFailure} when invalid. */
export function resolveInput(raw: unknown, request: ExecutionRequest): ResolvedInput {
  if (raw !== null && typeof raw === 'object') {
    const given = ['diff', 'changes'].filter(
      (k) => (raw as Record<string, unknown>)[k] !== undefined,
    );
    if (given.length !== 1) {
      throw new StepFailure(
        `the patcher input needs exactly one of diff (a unified diff) and changes (a list of ` +
          `{ path, action, content?, to? }); ${given.length === 0 ? 'neither is' : 'both are'} given.`,
        { retryable: false, code: 'CC_E_STEP_INPUT_INVALID' },
      );
    }
  }
  const problems = validateAgainstSchema(
    manifest.actions.apply.input,
    raw,
    'CC_E_STEP_INPUT_INVALID',
    'input',
  );
  if (problems.length > 0) {
    const list = problems.map((p) => p.message.replace(/\.+$/, '')).join('; ');
    throw new StepFailure(`the patcher input is invalid: ${list}.`, {
      retryable: false,
      code: 'CC_E_STEP_INPUT_INVALID',
      details: { problems: problems.map((p) => ({ path: p.path, message: p.message })) },
    });
  }
  const input = raw as PatchInput;
  if (input.pullRequest && !input.forge) {
    throw new StepFailure(
      'pullRequest needs forge: add forge: { type, repo, token: "{{ secrets.FORGE_TOKEN }}" } ' +
        '(and apiUrl for gitea or a self-hosted forge).',
      { retryable: false, code: 'CC_E_STEP_INPUT_INVALID' },
    );
  }
  if (input.pullRequest && input.push === false) {
    throw new StepFailure(
      'pullRequest needs the branch on the forge, but push is false: remove push: false.',
      { retryable: false, code: 'CC_E_STEP_INPUT_INVALID' },
    );
  }
  return {
    ...input,
    branch: input.branch ?? defaultBranchName(request),
    reuseBranch: input.reuseBranch ?? false,
    author: input.author ?? defaultAuthor,
    remote: input.remote ?? 'origin',
  };
}
