/**
 * Name patterns shared by documents, the API and the UI.
 */

/** Projects, workflows, agents and webhooks: lowercase, digits and dashes, 1-63 characters. */
export const namePattern = '^[a-z0-9][a-z0-9-]{0,62}$';

/** Node ids: identifiers usable in `nodes.<id>` references, 1-64 characters. */
export const nodeIdPattern = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';

/** Action names: identifiers that may also contain dashes (`createFixPR`, `send-email`). */
export const actionNamePattern = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';

/** Secret names: environment-variable style identifiers. */
export const secretNamePattern = '^[A-Za-z_][A-Za-z0-9_]{0,127}$';

/** Strict semantic version 2.0.0 (https://semver.org), without a leading `v`. */
export const semverPattern =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)' +
  '(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
  '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';

/** Whether `value` is a valid project/workflow/agent name. */
export function isValidName(value: string): boolean {
  return new RegExp(namePattern).test(value);
}

/** Whether `value` is a valid node id. */
export function isValidNodeId(value: string): boolean {
  return new RegExp(nodeIdPattern).test(value);
}
