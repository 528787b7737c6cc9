/**
 * The compliance policy: its TypeScript shape, its JSON Schema (unknown keys are errors, so a
 * typo cannot silently disable a check), and the default policy used when none is given.
 */

/** Violation severities, lowest first. */
export type PolicySeverity = 'low' | 'medium' | 'high' | 'critical';

/** License rules. */
export interface LicensePolicy {
  /** SPDX ids that are acceptable (case-insensitive). */
  allow: string[];
  /** SPDX ids that are never acceptable (wins over `allow`). */
  deny?: string[];
  /** A package whose license is missing or unreadable: a violation (`fail`) or a warning (default `warn`). */
  unknown?: 'fail' | 'warn';
  /** Check devDependencies too (default true). */
  includeDev?: boolean;
  /** Package names not checked (licenses approved case by case). */
  ignorePackages?: string[];
}

/** A custom file rule. */
export interface FileRule {
  id: string;
  description?: string;
  severity?: PolicySeverity;
  /** Glob of the files the rule applies to. */
  file: string;
  /** Regular expression each matching file must contain. */
  mustContain?: string;
  /** Regular expression no matching file may contain. */
  mustNotContain?: string;
  /** Flags of both expressions, e.g. `i` or `m`. */
  flags?: string;
  /** Largest size of each matching file, in KiB. */
  maxSizeKb?: number;
}

/** A compliance policy; a missing section is not checked. */
export interface Policy {
  licenses?: LicensePolicy;
  /** Globs that must each match at least one file (anchored at the root). */
  requiredFiles?: string[];
  /** Globs no file may match (a name without `/` matches at any depth). */
  forbiddenFiles?: string[];
  rules?: FileRule[];
}

const severity = { enum: ['low', 'medium', 'high', 'critical'] };
const names = { type: 'array', items: { type: 'string', minLength: 1 } };

/** JSON Schema of {@link Policy}. */
export const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    licenses: {
      type: 'object',
      additionalProperties: false,
      required: ['allow'],
      properties: {
        allow: names,
        deny: names,
        unknown: { enum: ['fail', 'warn'] },
        includeDev: { type: 'boolean' },
        ignorePackages: names,
      },
    },
    requiredFiles: names,
    forbiddenFiles: names,
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'file'],
        anyOf: [
          { required: ['mustContain'] },
          { required: ['mustNotContain'] },
          { required: ['maxSizeKb'] },
        ],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
          description: { type: 'string' },
          severity,
          file: { type: 'string', minLength: 1 },
          mustContain: { type: 'string', minLength: 1 },
          mustNotContain: { type: 'string', minLength: 1 },
          flags: { type: 'string', pattern: '^[imsu]*$' },
          maxSizeKb: { type: 'number', exclusiveMinimum: 0 },
        },
      },
    },
  },
};

/** The policy used when the input gives none: permissive licenses, README and LICENSE. */
export const defaultPolicy: Policy = {
  licenses: {
    allow: [
      'MIT',
      'ISC',
      'Apache-2.0',
      'BSD-2-Clause',
      'BSD-3-Clause',
      '0BSD',
      'Unlicense',
      'CC0-1.0',
      'BlueOak-1.0.0',
      'Python-2.0',
    ],
    unknown: 'warn',
  },
  requiredFiles: ['README*', '{LICENSE,LICENCE,COPYING}*'],
};
