/**
 * Reads what a PromQL expression needs from the metrics it queries: the metric selectors with
 * their label matchers, and the labels it groups, matches or aggregates on. A tokenizer rather
 * than a full parser — the expressions' syntax is promtool's job (see checkExpressions in
 * promtool.ts); this only has to find names, and it fails loudly on what it does not understand.
 */

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

export interface ExprNeeds {
  selectors: Selector[];
  /** Labels of `by`, `without`, `on`, `ignoring`, `group_left`, `group_right` lists. */
  groupingLabels: string[];
}

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'range'; text: string }
  | { kind: 'punct'; text: string };

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
]);
/** Aggregation operators: `sum by (x) (…)` puts the grouping between the name and `(`. */
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OPERATORS = [
  '=~',
  '!~',
  '!=',
  '==',
  '>=',
  '<=',
  '=',
  '>',
  '<',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '@',
];

function unquote(raw: string): string {
  const q = raw[0];
  const body = raw.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

export function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      if (j >= expr.length) throw new Error(`unterminated string in ${expr}`);
      out.push({ kind: 'string', text: unquote(expr.slice(i, j + 1)) });
      i = j + 1;
    } else if (c === '[') {
      const j = expr.indexOf(']', i);
      if (j < 0) throw new Error(`unterminated range in ${expr}`);
      out.push({ kind: 'range', text: expr.slice(i + 1, j) });
      i = j + 1;
    } else if (/[0-9.]/.test(c)) {
      const m = /^(?:0x[0-9a-f]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?[a-z]*)/i.exec(expr.slice(i));
      if (!m) throw new Error(`bad number at ${expr.slice(i, i + 20)}`);
      out.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))!;
      out.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if ('{}(),'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
    } else {
      const op = OPERATORS.find((o) => expr.startsWith(o, i));
      if (!op) throw new Error(`unexpected ${JSON.stringify(c)} in ${expr}`);
      out.push({ kind: 'punct', text: op });
      i += op.length;
    }
  }
  return out;
}

/** Reads `label op "value", …}` from `t[i]` (just after `{`); returns the matchers and the index after `}`. */
function readMatchers(t: Token[], i: number, expr: string): [Matcher[], number] {
  const matchers: Matcher[] = [];
  while (t[i]?.text !== '}') {
    const label = t[i];
    const op = t[i + 1];
    const value = t[i + 2];
    if (
      label?.kind !== 'ident' ||
      !['=', '!=', '=~', '!~'].includes(op?.text ?? '') ||
      value?.kind !== 'string'
    ) {
      throw new Error(`cannot read the label matchers of ${expr}`);
    }
    matchers.push({ label: label.text, op: op!.text as Matcher['op'], value: value.text });
    i += 3;
    if (t[i]?.text === ',') i++;
  }
  return [matchers, i + 1];
}

/** Reads `(a, b)` from `t[i]`; returns the labels and the index after `)`. */
function readLabelList(t: Token[], i: number, expr: string): [string[], number] {
  if (t[i]?.text !== '(') return [[], i]; // group_left without a list
  const labels: string[] = [];
  i++;
  while (t[i]?.text !== ')') {
    const tok = t[i];
    if (tok?.kind !== 'ident' && tok?.kind !== 'string') {
      throw new Error(`cannot read a label list in ${expr}`);
    }
    labels.push(tok.text);
    i++;
    if (t[i]?.text === ',') i++;
  }
  return [labels, i + 1];
}

/** The selectors and grouping labels of one PromQL expression. */
export function needsOf(expr: string): ExprNeeds {
  const t = tokenize(expr);
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  let i = 0;
  while (i < t.length) {
    const tok = t[i]!;
    if (tok.kind === 'ident' && GROUPING.has(tok.text)) {
      const [labels, next] = readLabelList(t, i + 1, expr);
      groupingLabels.push(...labels);
      i = next;
    } else if (
      tok.kind === 'ident' &&
      !KEYWORDS.has(tok.text) &&
      !AGGREGATIONS.has(tok.text) &&
      t[i + 1]?.text !== '('
    ) {
      let matchers: Matcher[] = [];
      let next = i + 1;
      if (t[next]?.text === '{') [matchers, next] = readMatchers(t, next + 1, expr);
      selectors.push({ metric: tok.text, matchers });
      i = next;
    } else if (tok.text === '{') {
      const [matchers, next] = readMatchers(t, i + 1, expr);
      const name = matchers.find((m) => m.label === '__name__' && m.op === '=');
      if (!name) throw new Error(`a selector without a metric name in ${expr}`);
      selectors.push({ metric: name.value, matchers: matchers.filter((m) => m !== name) });
      i = next;
    } else {
      i++;
    }
  }
  return { selectors, groupingLabels };
}

/** `label_values(<selector>, label)` of a Grafana variable: the selector's needs and the label. */
export function labelValuesQuery(query: string): { needs: ExprNeeds; label: string; expr: string } {
  const m = /^\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/s.exec(query);
  if (!m) throw new Error(`not a label_values(metric, label) query: ${query}`);
  return { needs: needsOf(m[1]!), label: m[2]!, expr: m[1]! };
}

/**
 * The literal values a matcher accepts when it is a plain list (`a`, `a|b|c`); undefined for a
 * real regular expression (`5..`, `.*`), whose values cannot be listed.
 */
export function literalValues(m: Matcher): string[] | undefined {
  if (m.op === '=' || m.op === '!=') return [m.value];
  const parts = m.value.split('|');
  return parts.every((p) => /^[\w/:+-]+$/.test(p)) ? parts : undefined;
}

/** Labels `{{name}}` a legend format refers to. */
export const legendLabels = (legend: string | undefined) =>
  [...(legend ?? '').matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)].map((m) => m[1]!);
