import type { AgentAction } from '@commandcenter/protocol/client';

/** An action's input or output schema (JSON Schema 2020-12, as the manifest declares it). */
export type JsonSchema = NonNullable<AgentAction['input']>;

/** One row of a schema's property table. */
export interface SchemaProp {
  /** Dotted path: `repo`, `options.depth`, `findings[].file`. */
  name: string;
  type: string;
  required: boolean;
  description?: string;
  /** Default, enum, bounds, format — what a caller needs to fill the field. */
  notes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A readable type: `string`, `integer | null`, `array of string`, `"a" | "b"`. */
export function typeOf(s: unknown): string {
  if (s === true || s === undefined) return 'any';
  if (s === false) return 'nothing';
  if (!isObj(s)) return 'any';
  if ('const' in s) return JSON.stringify(s.const);
  const t = Array.isArray(s.type)
    ? s.type.join(' | ')
    : typeof s.type === 'string'
      ? s.type
      : undefined;
  if (t === 'array') return `array of ${typeOf(s.items)}`;
  if (t) return t;
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) return (s[k] as unknown[]).map(typeOf).join(' | ');
  }
  if (Array.isArray(s.enum)) return 'enum';
  if (isObj(s.properties)) return 'object';
  return 'any';
}

function notesOf(s: Obj): string[] {
  const out: string[] = [];
  if (Array.isArray(s.enum)) out.push(`one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if ('default' in s) out.push(`default ${JSON.stringify(s.default)}`);
  if (typeof s.format === 'string') out.push(`format ${s.format}`);
  const bounds: [string, string][] = [
    ['minimum', '≥'],
    ['exclusiveMinimum', '>'],
    ['maximum', '≤'],
    ['exclusiveMaximum', '<'],
  ];
  for (const [k, sym] of bounds) if (typeof s[k] === 'number') out.push(`${sym} ${s[k] as number}`);
  if (typeof s.minLength === 'number') out.push(`at least ${s.minLength} characters`);
  if (typeof s.maxLength === 'number') out.push(`at most ${s.maxLength} characters`);
  if (typeof s.pattern === 'string') out.push(`matches /${s.pattern}/`);
  if (typeof s.minItems === 'number') out.push(`at least ${s.minItems} items`);
  if (typeof s.maxItems === 'number') out.push(`at most ${s.maxItems} items`);
  return out;
}

/**
 * The properties of an object schema as table rows, nested objects (and objects in arrays)
 * flattened with dotted names, down to `maxDepth` levels. `null` when the schema is not an
 * object with properties (the raw JSON says it better).
 */
export function schemaProps(schema: JsonSchema | undefined, maxDepth = 3): SchemaProp[] | null {
  if (!isObj(schema) || !isObj(schema.properties)) return null;
  const rows: SchemaProp[] = [];
  const walk = (s: Obj, prefix: string, depth: number) => {
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    for (const [key, raw] of Object.entries(s.properties as Obj)) {
      const p = isObj(raw) ? raw : {};
      const name = prefix + key;
      rows.push({
        name,
        type: typeOf(raw),
        required: required.has(key),
        description: typeof p.description === 'string' ? p.description : undefined,
        notes: notesOf(p),
      });
      if (depth >= maxDepth) continue;
      if (isObj(p.properties)) walk(p, `${name}.`, depth + 1);
      else if (isObj(p.items) && isObj(p.items.properties)) walk(p.items, `${name}[].`, depth + 1);
    }
  };
  walk(schema, '', 1);
  return rows;
}

/** A starting input for the test dialog: required fields with their default or a typed blank. */
export function exampleInput(schema: JsonSchema | undefined): unknown {
  if (!isObj(schema) || !isObj(schema.properties)) return {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Obj = {};
  for (const [key, raw] of Object.entries(schema.properties)) {
    if (!required.has(key) || !isObj(raw)) continue;
    out[key] = blank(raw);
  }
  return out;
}

function blank(s: Obj): unknown {
  if ('default' in s) return s.default;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const t = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (t) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return exampleInput(s);
    default:
      return null;
  }
}
