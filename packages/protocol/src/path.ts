/**
 * Readable document paths (`nodes[2].retry.attempts`), the format of {@link Problem.path}.
 */

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Formats segments as a readable path: `['nodes', 2, 'inputs', 'a-b']` → `nodes[2].inputs["a-b"]`.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (identifier.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Appends segments to an already formatted path. */
export function joinPath(base: string, ...segments: PathSegment[]): string {
  const tail = formatPath(segments);
  if (base === '') return tail;
  if (tail === '' || tail.startsWith('[')) return base + tail;
  return `${base}.${tail}`;
}

/**
 * Converts a JSON pointer (`/nodes/2/retry`) to segments, using the document to tell array
 * indexes from object keys that look like numbers.
 */
export function pointerToSegments(pointer: string, doc: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let current: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(key)) {
      const index = Number(key);
      segments.push(index);
      current = current[index];
    } else {
      segments.push(key);
      current = isRecord(current) ? current[key] : undefined;
    }
  }
  return segments;
}

/** Reads the value at `segments` inside `doc` (undefined when absent). */
export function valueAt(doc: unknown, segments: readonly PathSegment[]): unknown {
  let current = doc;
  for (const segment of segments) {
    if (typeof segment === 'number')
      current = Array.isArray(current) ? current[segment] : undefined;
    else current = isRecord(current) ? current[segment] : undefined;
  }
  return current;
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
