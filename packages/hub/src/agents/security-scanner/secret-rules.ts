/**
 * Secret rules: provider-specific token formats first (they are precise), then generic
 * `password = "..."` assignments. A later rule never reports a span an earlier rule reported.
 * Every pattern is linear in the line length (bounded repetitions before alternations), since
 * minified files can have megabyte-long lines.
 */
import { isPlaceholder } from './placeholders.js';
import type { LineRule, RuleMatcher } from './rule-types.js';

const rotate =
  'Revoke and rotate the credential now (it is in the history), then load it from a secret store or environment variable.';

/** Key names that announce a secret in an assignment. */
const secretKey =
  '[A-Za-z0-9_.-]{0,40}?(?:password|passwd|pwd|secret|token|api_?key|apikey|access_?key|auth_?key|private_?key|client_?secret|credentials?)';

const configFile = (path: string): boolean =>
  /(?:^|\/)\.env(?:\.[^/]*)?$|\.(?:ini|cfg|conf|properties|toml|ya?ml)$/i.test(path);

const mixedCase = (m: RegExpExecArray): boolean =>
  /[0-9]/.test(m[0]) && /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]);

const notPlaceholder = (m: RegExpExecArray): boolean => !isPlaceholder(m.groups?.secret ?? m[0]);

function rule(
  id: string,
  severity: LineRule['severity'],
  message: string,
  matchers: RuleMatcher[],
  fix = rotate,
): LineRule {
  return { id, category: 'secret', severity, message, fix, matchers };
}

/** The secret rules, most specific first. */
export const secretRules: readonly LineRule[] = [
  rule('secret.gcp-service-account', 'critical', 'Google Cloud service-account private key', [
    {
      pattern:
        /"private_key"\s*:\s*"(?<secret>-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----[^"]{0,20000})"/g,
      secretGroup: 'secret',
    },
  ]),
  rule(
    'secret.private-key',
    'critical',
    'Private key (PEM block)',
    [
      {
        pattern:
          /-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----[A-Za-z0-9+/=\\]*|-----BEGIN PGP PRIVATE KEY BLOCK-{5}/g,
      },
    ],
    'Remove the key from the repository, revoke it and issue a new one; keep keys in a secret store.',
  ),
  rule('secret.aws-secret-key', 'critical', 'AWS secret access key', [
    {
      pattern:
        /(?<![A-Za-z0-9])aws_?secret_?(?:access_?)?key["']?\s*(?::=|=>|:|=)\s*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
      secretGroup: 'secret',
    },
  ]),
  rule('secret.azure-storage-key', 'critical', 'Azure storage account key', [
    {
      pattern:
        /(?:AccountKey=|azure_?storage_?(?:account_?)?(?:access_?)?key["']?\s*[:=]\s*["']?)(?<secret>[A-Za-z0-9+/]{86}==)/gi,
      secretGroup: 'secret',
    },
  ]),
  rule('secret.github-token', 'critical', 'GitHub token', [
    { pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b/g },
  ]),
  rule('secret.gitlab-token', 'critical', 'GitLab personal access token', [
    { pattern: /\bglpat-[A-Za-z0-9_-]{20,255}/g },
  ]),
  rule('secret.slack-webhook', 'high', 'Slack incoming-webhook URL', [
    {
      pattern:
        /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9_/]{20,255})/g,
      secretGroup: 'secret',
    },
  ]),
  rule('secret.slack-token', 'high', 'Slack token', [
    { pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,255}/g },
  ]),
  rule('secret.stripe-live-key', 'critical', 'Stripe live secret key', [
    { pattern: /\b[rs]k_live_[A-Za-z0-9]{20,255}\b/g },
  ]),
  rule('secret.openai-key', 'high', 'OpenAI-style API key (sk-…)', [
    { pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,255}/g, accept: mixedCase },
  ]),
  rule(
    'secret.jwt',
    'high',
    'JSON Web Token',
    [{ pattern: /\beyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{10,4096}/g }],
    'Do not commit tokens: they grant access until they expire. Revoke the session or rotate the signing key if it is long-lived.',
  ),
  rule('secret.aws-access-key', 'high', 'AWS access key id', [
    { pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  ]),
  rule(
    'secret.generic-assignment',
    'high',
    'Hard-coded secret in an assignment',
    [
      {
        pattern: new RegExp(
          `(?<![A-Za-z0-9])(?<key>${secretKey})["']?\\s*(?::=|=>|:|=)\\s*(?<q>["'\`])(?<secret>[^"'\`\\s]{6,200})\\k<q>`,
          'gi',
        ),
        secretGroup: 'secret',
        accept: notPlaceholder,
      },
      {
        // Unquoted values only in configuration files, where they cannot be code.
        pattern: new RegExp(
          `^\\s*(?:export\\s+)?(?<key>${secretKey})\\s*[:=]\\s*(?<secret>[^\\s"'\`#]{6,200})\\s*(?:#.*)?$`,
          'gi',
        ),
        fileFilter: configFile,
        secretGroup: 'secret',
        accept: notPlaceholder,
      },
    ],
    'Move the value to a secret store or an environment variable and rotate it.',
  ),
];
