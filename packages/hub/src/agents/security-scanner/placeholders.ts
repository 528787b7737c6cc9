/**
 * Values of `password = "..."`-style assignments that are obviously not secrets: references to
 * variables or templates, masks, and the usual example words.
 */

const placeholderWords = new Set([
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'api_key',
  'null',
  'none',
  'undefined',
  'true',
  'false',
  'string',
  'required',
  'optional',
  'empty',
  'default',
  // fetch() `credentials` modes
  'same-origin',
  'include',
  'omit',
]);

const placeholderParts = [
  'example',
  'placeholder',
  'changeme',
  'change_me',
  'change-me',
  'dummy',
  'redacted',
  'your_',
  'your-',
  'yourpass',
  'yoursecret',
  'yourtoken',
  'xxxx',
  '****',
  '....',
  'sample',
  'replace',
  'insert',
  'todo',
];

/** Whether an assigned value is a placeholder rather than a real secret. */
export function isPlaceholder(value: string): boolean {
  const v = value.toLowerCase();
  if (placeholderWords.has(v)) return true;
  // Variable and template references: $VAR, ${VAR}, {{ x }}, %(x)s, <your-key>, !vault, @var.
  if (/^[$%<!@]/.test(v) || v.includes('${') || v.includes('{{') || v.includes('}}')) return true;
  // The name of an environment variable or secret (`LLM_API_KEY`), not its value.
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return true;
  if (/^(.)\1*$/.test(v)) return true; // one repeated character: xxxxxx, ******
  if (/^[a-z_]+\.[a-z_.]+$/.test(v) && /(env|config|settings|secrets)\./.test(v)) return true;
  return placeholderParts.some((part) => v.includes(part));
}
