/** Every scanner rule by id, and the selection a `scan` input's `rules` makes. */
import { didYouMean } from '@commandcenter/protocol';
import { StepFailure } from '../../executors/builtin.js';
import { auditRuleId } from './audit-report.js';
import { codeRules } from './code-rules.js';
import { entropyRule } from './line-scanner.js';
import type { FindingCategory, LineRule, Severity } from './rule-types.js';
import { secretRules } from './secret-rules.js';

/** The rules one scan runs. */
export interface RuleSelection {
  secretRules: readonly LineRule[];
  codeRules: readonly LineRule[];
  entropy: boolean;
  audit: boolean;
}

/** A rule as documented: id, category, default severity and message. */
export interface RuleInfo {
  id: string;
  category: FindingCategory;
  severity: Severity;
  message: string;
}

/** Every rule id the scanner knows, with its severity and message (for docs and tooling). */
export const allRules: readonly RuleInfo[] = [
  ...secretRules,
  entropyRule,
  ...codeRules,
  {
    id: auditRuleId,
    category: 'dependency',
    severity: 'high',
    message: 'Vulnerable npm dependency (npm audit; severity per advisory)',
  },
];

/**
 * The rules named in `ids` (all rules when undefined). An unknown id is a non-retryable
 * {@link StepFailure} naming the closest known id.
 */
export function selectRules(ids?: readonly string[]): RuleSelection {
  if (ids === undefined) {
    return { secretRules, codeRules, entropy: true, audit: true };
  }
  const known = allRules.map((r) => r.id);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    const hints = unknown.map(
      (id) => `"${id}" (${didYouMean(id, known).trim() || 'no such rule'})`,
    );
    throw new StepFailure(
      `Unknown scanner rule ${hints.join(', ')}. Known rules: ${known.join(', ')}.`,
      { retryable: false, code: 'CC_E_STEP_INPUT_INVALID', details: { unknown } },
    );
  }
  const wanted = new Set(ids);
  return {
    secretRules: secretRules.filter((r) => wanted.has(r.id)),
    codeRules: codeRules.filter((r) => wanted.has(r.id)),
    entropy: wanted.has(entropyRule.id),
    audit: wanted.has(auditRuleId),
  };
}
