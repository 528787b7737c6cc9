import type { WorkflowDocument } from '@commandcenter/protocol/client';

/** A run input prefilled from the inputs schema: defaults, and required strings left empty to fill. */
export function initialInput(schema: WorkflowDocument['inputs']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!schema || typeof schema !== 'object') return out;
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [key, p] of Object.entries(props)) {
    if (p && typeof p === 'object' && p.default !== undefined) out[key] = p.default;
    else if (required.has(key) && p?.type === 'string') out[key] = '';
  }
  return out;
}

/**
 * Reads the JSON a user typed as an input (of a run, of an action test): an empty field is `{}`;
 * text that does not parse gives the message to show under the field instead.
 */
export function parseJsonInput(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: `The input is not valid JSON: ${(e as Error).message}` };
  }
}
