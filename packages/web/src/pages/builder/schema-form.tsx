import { formatPath, type PathSegment } from '@commandcenter/protocol/client';
import { useState } from 'react';
import type { Schema } from './catalog.js';
import { JsonField } from './json-field.js';
import { Field, type FieldRender, type FieldScope } from './field.js';
import { displayText, JsonValueField } from './fields.js';
import type { Located } from './problems.js';
import { TemplateInput } from './template-input.js';

/**
 * A form generated from an action's input JSON Schema: strings, numbers, integers, booleans,
 * enums, arrays of primitives and nested objects get their own controls, anything else a JSON
 * editor. Every field also takes a `{{ … }}` template whatever its type — a number field may hold
 * `{{ nodes.fetch.output.files }}` — and keeps it as a string; the hub checks the rest.
 */

type Obj = Record<string, unknown>;
type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'list' | 'object' | 'json';

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const isTemplate = (v: unknown): v is string => typeof v === 'string' && v.includes('{{');
const primitive = new Set(['string', 'number', 'integer', 'boolean']);

function mainType(s: Obj): string | undefined {
  const t = s.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
  return undefined;
}

function kindOf(schema: Schema | undefined, value: unknown): Kind {
  if (!isObj(schema)) return 'json';
  if (Array.isArray(schema.enum) && schema.enum.every((v) => v === null || typeof v !== 'object'))
    return 'enum';
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(branches)) {
    const stringy = branches.some((b) => isObj(b) && mainType(b) === 'string');
    return stringy && (value === undefined || typeof value === 'string') ? 'string' : 'json';
  }
  const t = mainType(schema);
  if (t === 'string' || t === 'number' || t === 'integer' || t === 'boolean') return t;
  if (t === 'array') {
    const items = schema.items;
    const ok = isObj(items) && (primitive.has(mainType(items) ?? '') || Array.isArray(items.enum));
    return ok && (value === undefined || Array.isArray(value)) ? 'list' : 'json';
  }
  if ((t === 'object' || t === undefined) && isObj(schema.properties)) {
    return value === undefined || isObj(value) ? 'object' : 'json';
  }
  return 'json';
}

/** A number field's text → a number when it is one, else the text (a template, or an error to fix). */
function parseNumber(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : text;
}

function parseItem(kind: string | undefined, text: string): unknown {
  if (kind === 'number' || kind === 'integer') return parseNumber(text) ?? '';
  if (kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

type Ctx = FieldScope;

export function SchemaForm({
  schema,
  value,
  onChange,
  nodeId,
  problems,
}: {
  schema: Schema | undefined;
  value: Obj;
  onChange: (v: Obj) => void;
  nodeId: string;
  problems: readonly Located[];
}) {
  const ctx: Ctx = { nodeId, problems };
  if (!isObj(schema) || !isObj(schema.properties)) {
    return (
      <JsonValueField
        scope={ctx}
        path="inputs"
        name="Inputs (JSON)"
        hint="The action declares no input fields; write its input as JSON."
        value={value}
        onChange={(v) => onChange(isObj(v) ? v : {})}
      />
    );
  }
  return (
    <ObjectFields
      schema={schema}
      value={value}
      onChange={onChange}
      ctx={ctx}
      segments={['inputs']}
      showExtras
    />
  );
}

function ObjectFields({
  schema,
  value,
  onChange,
  ctx,
  segments,
  showExtras,
}: {
  schema: Obj;
  value: Obj;
  onChange: (v: Obj) => void;
  ctx: Ctx;
  segments: PathSegment[];
  showExtras?: boolean;
}) {
  const props = schema.properties as Record<string, Schema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const set = (key: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined) delete next[key];
    else next[key] = v;
    onChange(next);
  };
  const extras = showExtras ? Object.keys(value).filter((k) => !(k in props)) : [];
  return (
    <>
      {Object.entries(props).map(([key, sub]) => (
        <ValueField
          key={key}
          name={key}
          schema={sub}
          required={required.has(key)}
          value={value[key]}
          onChange={(v) => set(key, v)}
          ctx={ctx}
          segments={[...segments, key]}
        />
      ))}
      {extras.map((key) => (
        <JsonValueField
          key={key}
          scope={ctx}
          path={formatPath([...segments, key])}
          name={key}
          hint="Not an input of this action."
          extra={
            <button type="button" className="btn btn-small" onClick={() => set(key, undefined)}>
              Remove {key}
            </button>
          }
          value={value[key]}
          rows={2}
          onChange={(v) => set(key, v)}
        />
      ))}
    </>
  );
}

function ValueField({
  name,
  schema,
  required,
  value,
  onChange,
  ctx,
  segments,
}: {
  name: string;
  schema: Schema;
  required: boolean;
  value: unknown;
  onChange: (v: unknown) => void;
  ctx: Ctx;
  segments: PathSegment[];
}) {
  const kind = kindOf(schema, value);
  const textual = kind === 'string' || kind === 'number' || kind === 'integer';
  const [templated, setTemplated] = useState(() => isTemplate(value));
  const useTemplate = !textual && (templated || isTemplate(value));
  const s = isObj(schema) ? schema : {};
  const description = typeof s.description === 'string' ? s.description : undefined;
  const def = s.default !== undefined ? `Default: ${JSON.stringify(s.default)}.` : undefined;
  const hint = [description, def].filter(Boolean).join(' ') || undefined;

  if (kind === 'object' && !useTemplate) {
    const path = formatPath(segments);
    const own = ctx.problems.filter((l) => l.field === path);
    return (
      <fieldset className="bf-fieldset">
        <legend>
          {name}
          {required && <span className="bf-required"> *</span>}
        </legend>
        {hint && <p className="field-hint">{hint}</p>}
        {own.map((l, i) => (
          <p key={i} className="field-error">
            {l.problem.message}
          </p>
        ))}
        <ObjectFields
          schema={s}
          value={isObj(value) ? value : {}}
          onChange={(v) => onChange(Object.keys(v).length ? v : undefined)}
          ctx={ctx}
          segments={segments}
        />
      </fieldset>
    );
  }

  const toggle = textual ? undefined : (
    <button
      type="button"
      className="btn btn-small bf-tpl-toggle"
      aria-pressed={useTemplate}
      aria-label={`Use a template for ${name}`}
      title="Use a {{ }} template instead of a fixed value"
      onClick={() => {
        setTemplated(!useTemplate);
        if (useTemplate) onChange(undefined);
      }}
    >
      {'{{ }}'}
    </button>
  );

  return (
    <Field
      scope={ctx}
      path={formatPath(segments)}
      name={name}
      hint={hint}
      required={required}
      extra={toggle}
    >
      {(p) => {
        if (textual || useTemplate) {
          const numeric = kind === 'number' || kind === 'integer';
          return (
            <TemplateInput
              id={p.id}
              value={displayText(value)}
              describedBy={p.describedBy}
              invalid={p.invalid}
              required={required}
              inputMode={numeric && !isTemplate(value) ? 'decimal' : 'text'}
              placeholder={
                useTemplate ? '{{ nodes.… }}' : numeric ? 'a number or {{ … }}' : undefined
              }
              onChange={(t) => onChange(numeric ? parseNumber(t) : t === '' ? undefined : t)}
            />
          );
        }
        if (kind === 'boolean' || kind === 'enum') {
          const options: unknown[] = kind === 'boolean' ? [true, false] : (s.enum as unknown[]);
          const index = options.findIndex((o) => o === value);
          return (
            <select
              id={p.id}
              value={index < 0 ? '' : String(index)}
              aria-describedby={p.describedBy}
              aria-invalid={p.invalid || undefined}
              aria-required={required || undefined}
              onChange={(e) =>
                onChange(e.target.value === '' ? undefined : options[Number(e.target.value)])
              }
            >
              <option value="">
                {value !== undefined && index < 0
                  ? `(other: ${JSON.stringify(value)})`
                  : '— not set —'}
              </option>
              {options.map((o, i) => (
                <option key={i} value={String(i)}>
                  {typeof o === 'string' ? o : JSON.stringify(o)}
                </option>
              ))}
            </select>
          );
        }
        if (kind === 'list') {
          return (
            <ListField
              {...p}
              name={name}
              schema={s}
              value={value as unknown[] | undefined}
              onChange={onChange}
            />
          );
        }
        return (
          <JsonField
            id={p.id}
            value={value}
            rows={3}
            describedBy={p.describedBy}
            invalid={p.invalid}
            onChange={onChange}
          />
        );
      }}
    </Field>
  );
}

/** An array of primitives: one template field per item. */
function ListField({
  id,
  describedBy,
  name,
  schema,
  value,
  onChange,
}: FieldRender & {
  name: string;
  schema: Obj;
  value: unknown[] | undefined;
  onChange: (v: unknown) => void;
}) {
  const items = value ?? [];
  const itemSchema = (isObj(schema.items) ? schema.items : {}) as Obj;
  const itemKind = mainType(itemSchema);
  const set = (next: unknown[]) => onChange(next.length ? next : undefined);
  return (
    <div className="bf-list" role="group" aria-describedby={describedBy}>
      {items.map((item, i) => (
        <div key={i} className="bf-list-item">
          <TemplateInput
            id={i === 0 ? id : `${id}-${i}`}
            label={`${name}, item ${i + 1}`}
            value={typeof item === 'string' ? item : JSON.stringify(item)}
            onChange={(t) => set(items.map((x, j) => (j === i ? parseItem(itemKind, t) : x)))}
          />
          <button
            type="button"
            className="icon-btn"
            aria-label={`Remove item ${i + 1} of ${name}`}
            onClick={() => set(items.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn-small"
        id={items.length === 0 ? id : undefined}
        onClick={() => set([...items, itemKind === 'boolean' ? false : ''])}
      >
        Add {items.length ? 'another ' : ''}item
      </button>
    </div>
  );
}
