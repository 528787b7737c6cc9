import { formatPath, isRecord, type PathSegment } from '@commandcenter/protocol';

export interface Change {
  path: string;
  op: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/**
 * The changes between two JSON documents, by path. Arrays of objects with an `id` (workflow
 * nodes) are matched by id, so inserting a node reports one addition, not a shifted list.
 */
export function structuralDiff(a: unknown, b: unknown): Change[] {
  const out: Change[] = [];
  walk(a, b, [], out);
  return out;
}

const byId = (v: unknown[]) =>
  v.every((x) => isRecord(x) && typeof x.id === 'string')
    ? new Map(v.map((x) => [(x as { id: string }).id, x]))
    : undefined;

function walk(a: unknown, b: unknown, path: PathSegment[], out: Change[]): void {
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const ma = byId(a);
    const mb = byId(b);
    if (ma && mb) {
      a.forEach((x, i) => {
        const id = (x as { id: string }).id;
        const j = b.findIndex((y) => (y as { id: string }).id === id);
        if (j < 0) out.push({ path: formatPath([...path, i]), op: 'removed', before: x });
        else walk(x, b[j], [...path, j], out);
      });
      b.forEach((y, j) => {
        if (!ma.has((y as { id: string }).id))
          out.push({ path: formatPath([...path, j]), op: 'added', after: y });
      });
      return;
    }
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (i >= a.length) out.push({ path: formatPath([...path, i]), op: 'added', after: b[i] });
      else if (i >= b.length)
        out.push({ path: formatPath([...path, i]), op: 'removed', before: a[i] });
      else walk(a[i], b[i], [...path, i], out);
    }
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const k of Object.keys(a)) {
      if (!(k in b)) out.push({ path: formatPath([...path, k]), op: 'removed', before: a[k] });
      else walk(a[k], b[k], [...path, k], out);
    }
    for (const k of Object.keys(b)) {
      if (!(k in a)) out.push({ path: formatPath([...path, k]), op: 'added', after: b[k] });
    }
    return;
  }
  out.push({ path: formatPath(path), op: 'changed', before: a, after: b });
}
