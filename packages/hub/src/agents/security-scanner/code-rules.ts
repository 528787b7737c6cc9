/**
 * Risky code patterns: dynamic code execution, shell and SQL built from strings, HTML injection
 * sinks, unsafe deserialisation and disabled TLS verification. Lines that are comments are not
 * checked (the line scanner skips them).
 */
import type { LineRule, RuleMatcher } from './rule-types.js';

// Spans inside a line are bounded: a pattern that may start at many places of a megabyte-long
// line must not scan to its end from each of them.
const span = 1000;
const sqlVerb = '(?:SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE|MERGE)\\b';
/** A double- or single-quoted string literal starting with an SQL verb. */
const sqlLiteral = `(?:"\\s*${sqlVerb}[^"]{0,${span}}"|'\\s*${sqlVerb}[^']{0,${span}}')`;
/** The start of a Python f-string starting with an SQL verb, up to its first `{`. */
const sqlFString = `[fF](?:"\\s*${sqlVerb}[^"]{0,${span}}\\{|'\\s*${sqlVerb}[^']{0,${span}}\\{)`;

function rule(
  id: string,
  severity: LineRule['severity'],
  message: string,
  fix: string,
  matchers: RuleMatcher[],
): LineRule {
  return { id, category: 'code', severity, message, fix, matchers };
}

/** The risky-code rules. */
export const codeRules: readonly LineRule[] = [
  rule(
    'code.eval',
    'high',
    'eval() runs a string as code',
    'Parse data with JSON.parse or dispatch on known values instead of evaluating strings.',
    [{ pattern: /(?<![.\w$'"`])eval\s*\(/g, languages: ['js'] }],
  ),
  rule(
    'code.new-function',
    'high',
    'new Function() compiles a string into code',
    'Use a regular function, or a lookup table of functions chosen by name.',
    [{ pattern: /(?<!['"`])\bnew\s+Function\s*\(/g, languages: ['js'] }],
  ),
  rule(
    'code.string-timer',
    'medium',
    'setTimeout/setInterval with a string argument evaluates it as code',
    'Pass a function: setTimeout(() => doWork(), ms).',
    [{ pattern: /\bset(?:Timeout|Interval)\s*\(\s*["'`]/g, languages: ['js'] }],
  ),
  rule(
    'code.child-process-exec',
    'high',
    'Shell command built from a template or concatenated string (command injection)',
    'Use execFile/spawn with an argument array (no shell), and validate the values.',
    [
      {
        pattern:
          /(?:(?<![.\w$])|\b(?:child_?process|childProcess|cp)\.)exec(?:Sync)?\s*\(\s*(?:`[^`]{0,1000}\$\{|"[^"]{0,1000}"\s*\+|'[^']{0,1000}'\s*\+|[\w$.]{1,200}\s*\+)/g,
        languages: ['js'],
      },
    ],
  ),
  rule(
    'code.sql-injection',
    'high',
    'SQL built by concatenation or interpolation in a query call (SQL injection)',
    'Use placeholders ($1, ?, %s) and pass the values as parameters.',
    [
      {
        pattern: new RegExp(
          `(?<![\\w$])(?:query|execute|raw|prepare|unsafe|\\$queryRawUnsafe|\\$executeRawUnsafe)\\s*\\(\\s*(?:\`\\s*${sqlVerb}[^\`]{0,${span}}\\$\\{|${sqlLiteral}\\s*\\+)`,
          'gi',
        ),
        languages: ['js'],
      },
      {
        pattern: new RegExp(
          `\\.execute(?:many)?\\s*\\(\\s*(?:${sqlFString}|${sqlLiteral}\\s*(?:%|\\+|\\.format\\s*\\())`,
          'gi',
        ),
        languages: ['python'],
      },
    ],
  ),
  rule(
    'code.html-injection',
    'medium',
    'HTML written from a dynamic value (cross-site scripting)',
    'Set textContent, build elements with the DOM API, or sanitize the HTML (e.g. DOMPurify).',
    [
      {
        // A plain literal (`el.innerHTML = ''`) is fine; anything else may carry user data.
        pattern:
          /\.(?:innerHTML|outerHTML)\s*\+?=(?!=)(?!\s*(?:(["'])[^"'`]{0,1000}\1|`[^`$]{0,1000}`)\s*(?:;\s*)?(?:\/\/.{0,1000})?$)/g,
        languages: ['js'],
      },
      { pattern: /\.insertAdjacentHTML\s*\(/g, languages: ['js'] },
      { pattern: /\bdocument\.write(?:ln)?\s*\(/g, languages: ['js'] },
    ],
  ),
  rule(
    'code.dangerously-set-inner-html',
    'medium',
    'dangerouslySetInnerHTML renders raw HTML (cross-site scripting)',
    'Render the content as React children, or sanitize it (e.g. DOMPurify) right where it is set.',
    [{ pattern: /\bdangerouslySetInnerHTML\s*[=:]/g, languages: ['js'] }],
  ),
  rule(
    'code.tls-verification-disabled',
    'high',
    'TLS certificate verification is disabled',
    'Keep verification on; trust a private CA with NODE_EXTRA_CA_CERTS, `ca:`, or `verify="/path/ca.pem"`.',
    [
      { pattern: /\brejectUnauthorized\s*:\s*false\b/g },
      { pattern: /\bNODE_TLS_REJECT_UNAUTHORIZED\s*[=:]\s*["']?0\b/g },
      { pattern: /\bverify\s*=\s*False\b/g, languages: ['python'] },
      { pattern: /\bInsecureSkipVerify\s*:\s*true\b/g, languages: ['go'] },
    ],
  ),
  rule(
    'code.python-eval',
    'high',
    'eval()/exec() runs a string as Python code',
    'Use ast.literal_eval for literals, or dispatch on known values.',
    [{ pattern: /(?<![.\w'"`])(?:eval|exec)\s*\(/g, languages: ['python'] }],
  ),
  rule(
    'code.python-pickle',
    'high',
    'Unpickling can run arbitrary code when the data is untrusted',
    'Load untrusted data as JSON (or another data-only format); unpickle only what you wrote.',
    [{ pattern: /\b(?:c?[pP]ickle|_pickle|dill|joblib)\.loads?\s*\(/g, languages: ['python'] }],
  ),
  rule(
    'code.python-yaml-load',
    'high',
    'yaml.load without SafeLoader can construct arbitrary objects',
    'Use yaml.safe_load(...) or yaml.load(..., Loader=yaml.SafeLoader).',
    [
      {
        pattern:
          /\byaml\.(?:load|load_all)\s*\((?![^)]{0,500}\bLoader\s*=\s*(?:yaml\.)?(?:C?SafeLoader|BaseLoader))|\byaml\.unsafe_load(?:_all)?\s*\(/g,
        languages: ['python'],
      },
    ],
  ),
  rule(
    'code.python-shell-true',
    'high',
    'subprocess with shell=True runs the command through a shell (command injection)',
    'Pass an argument list without shell=True: subprocess.run(["git", "log", ref]).',
    [{ pattern: /\bshell\s*=\s*True\b/g, languages: ['python'] }],
  ),
];
