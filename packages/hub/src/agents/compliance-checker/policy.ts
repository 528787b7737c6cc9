/**
 * Loads the policy of a `check`: an object, YAML text, or the default. An invalid policy is a
 * non-retryable step failure listing every problem with its path (`policy.licenses.allow[2]`).
 */
import { validateAgainstSchema } from '@commandcenter/protocol';
import { parseDocument } from 'yaml';
import { StepFailure } from '../../executors/builtin.js';
import { compileGlob } from '../security-scanner/glob.js';
import { defaultPolicy, policySchema, type Policy } from './policy-schema.js';

/** Where the policy of a check came from. */
export type PolicySource = 'default' | 'input' | 'yaml';

/** Returns the policy to apply, validated. */
export function loadPolicy(input: { policy?: unknown; policyYaml?: string }): {
  policy: Policy;
  source: PolicySource;
} {
  if (input.policy !== undefined && input.policyYaml !== undefined) {
    throw invalid(['give either policy or policyYaml, not both']);
  }
  if (input.policyYaml !== undefined) {
    return { policy: validate(parseYaml(input.policyYaml)), source: 'yaml' };
  }
  if (input.policy !== undefined) return { policy: validate(input.policy), source: 'input' };
  return { policy: defaultPolicy, source: 'default' };
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw invalid(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `policyYaml line ${at?.line ?? '?'}, column ${at?.col ?? '?'}: ${what}`;
      }),
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) throw invalid(['policyYaml is empty']);
  return value;
}

function validate(value: unknown): Policy {
  const problems = validateAgainstSchema(
    policySchema,
    value,
    'CC_E_STEP_INPUT_INVALID',
    'policy',
  ).map((p) => p.message);
  if (problems.length > 0) throw invalid(problems);
  const policy = value as Policy;
  const more: string[] = [];
  policy.rules?.forEach((rule, i) => {
    for (const key of ['mustContain', 'mustNotContain'] as const) {
      const source = rule[key];
      if (source === undefined) continue;
      try {
        new RegExp(source, rule.flags);
      } catch (err) {
        more.push(
          `policy.rules[${i}].${key} is not a valid regular expression: ${(err as Error).message}.`,
        );
      }
    }
    more.push(...globProblem(rule.file, `policy.rules[${i}].file`));
  });
  for (const key of ['requiredFiles', 'forbiddenFiles'] as const) {
    policy[key]?.forEach((glob, i) => more.push(...globProblem(glob, `policy.${key}[${i}]`)));
  }
  const ids = policy.rules?.map((r) => r.id) ?? [];
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) more.push(`policy.rules[${i}].id "${id}" is used by another rule.`);
  });
  if (more.length > 0) throw invalid(more);
  return policy;
}

function globProblem(glob: string, path: string): string[] {
  try {
    compileGlob(glob);
    return [];
  } catch (err) {
    return [`${path}: ${(err as Error).message}.`];
  }
}

function invalid(problems: string[]): StepFailure {
  return new StepFailure(
    `The compliance policy is invalid:\n- ${problems.join('\n- ')}\n` +
      'Fix the policy (its fields are described in the compliance-checker README).',
    { retryable: false, code: 'CC_E_STEP_INPUT_INVALID', details: { problems } },
  );
}
