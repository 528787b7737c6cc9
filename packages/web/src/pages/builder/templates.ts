/**
 * What a `{{ … }}` template of a node can read (SPEC §2): `input.*` from the workflow's inputs
 * schema, `nodes.<upstream>.output.*` from the output schemas of the node's upstream nodes only,
 * `secrets.*` (names), `item` under forEach, and `run.*`. The template field offers these as
 * completions while typing.
 */
import type { ActionLookup, Schema } from './action-meta.js';
import { ancestors, findNode, type Doc } from './model.js';

export interface Suggestion {
  /** The expression inserted, e.g. `nodes.fetch.output.files`. */
  value: string;
  /** A short description: the type, or where it comes from. */
  detail: string;
}

const maxDepth = 4;

function typeOf(schema: Schema): string {
  if (typeof schema !== 'object') return 'any';
  const t = schema.type;
  if (Array.isArray(t)) return t.join(' | ');
  if (typeof t === 'string') return t;
  if (Array.isArray(schema.enum)) return 'enum';
  return 'any';
}

/** `prefix` and every property path below it, from a JSON Schema. */
function walk(
  prefix: string,
  schema: Schema | undefined,
  detail: string,
  out: Suggestion[],
  depth = 0,
): void {
  out.push({
    value: prefix,
    detail: schema === undefined ? detail : `${typeOf(schema)} · ${detail}`,
  });
  if (depth >= maxDepth || !schema || typeof schema !== 'object') return;
  const props = schema.properties;
  if (!props || typeof props !== 'object') return;
  for (const [key, sub] of Object.entries(props as Record<string, Schema>)) {
    const path = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)
      ? `${prefix}.${key}`
      : `${prefix}.\`${key}\``;
    walk(path, sub, detail, out, depth + 1);
  }
}

/** Completions for the templates of node `nodeId` (or of the workflow, without a node). */
export function templateSuggestions(
  doc: Doc,
  nodeId: string | undefined,
  catalog: ActionLookup,
  secrets: readonly string[],
): Suggestion[] {
  const out: Suggestion[] = [];
  walk('input', doc.inputs as Schema | undefined, 'run input', out);
  const node = nodeId === undefined ? undefined : findNode(doc, nodeId);
  if (node) {
    for (const up of [...ancestors(doc, node.id)].sort()) {
      const n = findNode(doc, up);
      if (!n) continue;
      const meta = catalog.byKey.get(`${n.agent}.${n.action}`);
      const fanOut = n.forEach !== undefined;
      // A forEach node's output is the list of its items' outputs.
      walk(`nodes.${up}.output`, fanOut ? { type: 'array' } : meta?.output, `output of ${up}`, out);
    }
    if (node.forEach !== undefined) out.push({ value: 'item', detail: 'the current forEach item' });
  }
  for (const s of secrets) out.push({ value: `secrets.${s}`, detail: 'secret' });
  out.push(
    { value: 'run.id', detail: 'string · this run' },
    { value: 'run.workflow', detail: 'string · this run' },
    { value: 'run.version', detail: 'integer · this run' },
  );
  return out;
}

/** The expression being typed at `caret`: inside an unclosed `{{`, the path before the caret. */
export function templateContext(
  text: string,
  caret: number,
): { start: number; token: string } | undefined {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf('{{');
  if (open < 0 || before.indexOf('}}', open) >= 0) return undefined;
  const token = /[A-Za-z0-9_.$`]*$/.exec(before)![0];
  if (caret - token.length < open + 2) return undefined;
  return { start: caret - token.length, token };
}

/** Filters completions by what was typed: prefix matches first, then matches inside. */
export function matchSuggestions(
  all: readonly Suggestion[],
  token: string,
  limit = 12,
): Suggestion[] {
  const t = token.toLowerCase();
  const prefix = all.filter(
    (s) => s.value.toLowerCase().startsWith(t) && s.value.toLowerCase() !== t,
  );
  const inside = t
    ? all.filter((s) => !s.value.toLowerCase().startsWith(t) && s.value.toLowerCase().includes(t))
    : [];
  return [...prefix, ...inside].slice(0, limit);
}

/** The text after accepting `value` for the token at `start..caret`, and the new caret. */
export function acceptSuggestion(
  text: string,
  caret: number,
  start: number,
  value: string,
): { text: string; caret: number } {
  const head = text.slice(0, start);
  const spaced = head.endsWith('{{') ? `${head} ` : head;
  const rest = text.slice(caret);
  if (/^\s*}}/.test(rest)) {
    const insert = /^\s/.test(rest) ? value : `${value} `;
    return { text: spaced + insert + rest, caret: spaced.length + value.length };
  }
  const insert = `${value} }}`;
  return { text: spaced + insert + rest, caret: spaced.length + insert.length };
}
