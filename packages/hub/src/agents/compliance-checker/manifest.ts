/**
 * Manifest of the built-in `compliance-checker` agent, and the TypeScript types of its action's
 * input and output.
 */
import { policySchema, type Policy, type PolicySeverity } from './policy-schema.js';
import type { PolicySource } from './policy.js';

/** Input of `check`: a workspace directory or inline files, and optionally a policy. */
export interface CheckInput {
  /** A directory on the hub host, inside the workspace roots. */
  path?: string;
  /** Inline files, e.g. from an upstream step. */
  files?: { path: string; content: string }[];
  /** The policy as an object (default: the built-in permissive policy). */
  policy?: Policy;
  /** The policy as YAML text. */
  policyYaml?: string;
}

/** One breach of the policy (or, in `warnings`, something worth a look). */
export interface Violation {
  /** `license.denied`, `license.not-allowed`, `license.unknown`, `file.required`, `file.forbidden`, or a custom rule id. */
  rule: string;
  severity: PolicySeverity;
  file?: string;
  line?: number;
  /** `name@version` of a package. */
  package?: string;
  license?: string;
  message: string;
}

/** Output of `check`. */
export interface CheckOutput {
  /** No violations. */
  passed: boolean;
  violations: Violation[];
  warnings: Violation[];
  checked: { packages: number; files: number; rules: number };
  /** Where the policy came from. */
  policySource: PolicySource;
}

const violationSchema = {
  type: 'object',
  required: ['rule', 'severity', 'message'],
  properties: {
    rule: { type: 'string' },
    severity: { enum: ['low', 'medium', 'high', 'critical'] },
    file: { type: 'string' },
    line: { type: 'integer', minimum: 1 },
    package: { type: 'string' },
    license: { type: 'string' },
    message: { type: 'string' },
  },
};

const count = { type: 'integer', minimum: 0 };

/** The `check` input schema. */
export const checkInputSchema = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['path'] }, { required: ['files'] }],
  properties: {
    path: { type: 'string', minLength: 1, description: 'Directory inside the workspace roots' },
    files: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'content'],
        properties: { path: { type: 'string', minLength: 1 }, content: { type: 'string' } },
      },
    },
    policy: policySchema,
    policyYaml: { type: 'string', description: 'The policy as YAML text' },
  },
};

/** The `check` output schema. */
export const checkOutputSchema = {
  type: 'object',
  required: ['passed', 'violations', 'warnings', 'checked', 'policySource'],
  properties: {
    passed: { type: 'boolean' },
    violations: { type: 'array', items: violationSchema },
    warnings: { type: 'array', items: violationSchema },
    checked: {
      type: 'object',
      required: ['packages', 'files', 'rules'],
      properties: { packages: count, files: count, rules: count },
    },
    policySource: { enum: ['default', 'input', 'yaml'] },
  },
};

/** The agent manifest (validated by `validateAgentManifest`). */
export const manifest = {
  name: 'compliance-checker',
  version: '1.0.0',
  type: 'builtin',
  description:
    'Checks a project against a policy: dependency licenses (SPDX), required and forbidden files, and custom file rules.',
  risk: 'low',
  actions: {
    check: {
      description:
        'Check licenses, required/forbidden files and custom rules; a breached policy is output (`passed: false`), an invalid policy fails the step.',
      input: checkInputSchema,
      output: checkOutputSchema,
    },
  },
};
