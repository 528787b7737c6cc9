/**
 * Per-project settings (SPEC §4, §5): the approval policy and the hosts exempt from the SSRF guard.
 */
import type { Risk } from './agent-types.js';

/** Which steps wait for a human decision before they run (SPEC §5). */
export interface ApprovalPolicy {
  /** Steps whose effective risk is at least this wait for approval (default `high`). */
  threshold: Risk;
  /** Whether a node's `approval: auto` may waive a risk-based approval (default true). */
  allowAuto: boolean;
  /**
   * Agents (`patcher`) or actions (`patcher.apply`) whose steps always wait, even with
   * `approval: auto` or below the threshold. Default `['patcher.apply', 'patcher.createFixPR']` (its `preview` writes nothing and may run first); a project that sets `[]`
   * explicitly lets patcher run without approval.
   */
  alwaysRequire: string[];
}

/** Settings of one project. */
export interface ProjectSettings {
  approvalPolicy: ApprovalPolicy;
  /**
   * Hosts outbound HTTP may reach although they are loopback, private or link-local (the SSRF
   * guard): host names, IP addresses or CIDR ranges such as `10.0.0.0/8`.
   */
  egressAllowHosts: string[];
}

/** Settings of a project that sets none. */
export const defaultProjectSettings: ProjectSettings = Object.freeze({
  approvalPolicy: Object.freeze({
    threshold: 'high',
    allowAuto: true,
    alwaysRequire: Object.freeze(['patcher.apply', 'patcher.createFixPR']) as unknown as string[],
  }) as ApprovalPolicy,
  egressAllowHosts: Object.freeze([]) as unknown as string[],
}) as ProjectSettings;

/** A partial update of project settings (PATCH); omitted fields keep their value. */
export interface ProjectSettingsPatch {
  approvalPolicy?: Partial<ApprovalPolicy>;
  egressAllowHosts?: string[];
}

/** Applies `stored` (what the project set) over the defaults. */
export function effectiveProjectSettings(
  stored: ProjectSettingsPatch | null | undefined,
): ProjectSettings {
  const d = defaultProjectSettings;
  return {
    approvalPolicy: { ...d.approvalPolicy, ...(stored?.approvalPolicy ?? {}) },
    egressAllowHosts: stored?.egressAllowHosts ?? d.egressAllowHosts,
  };
}

const hostPattern = '^[A-Za-z0-9.:_\\-\\[\\]]+(/\\d{1,3})?$';

/** JSON Schema of {@link ProjectSettingsPatch} (the body of PATCH /projects/{id}). */
export const projectSettingsPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    approvalPolicy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        threshold: { enum: ['low', 'medium', 'high', 'critical'] },
        allowAuto: { type: 'boolean' },
        alwaysRequire: {
          type: 'array',
          maxItems: 200,
          uniqueItems: true,
          items: {
            type: 'string',
            pattern: '^[a-z0-9][a-z0-9-]{0,62}(\\.[A-Za-z][A-Za-z0-9_-]{0,63})?$',
          },
        },
      },
    },
    egressAllowHosts: {
      type: 'array',
      maxItems: 200,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 253, pattern: hostPattern },
    },
  },
} as const;
