/**
 * Test support: reads the Prometheus text format (version 0.0.4) the way a scraper does, so the
 * metrics tests assert on series, not on substrings. Nothing in the hub imports it.
 */

/** One sample: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  /** The samples of `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The one sample of `name` with exactly-matching `labels` (subset match); throws otherwise. */
  value(name: string, labels?: Record<string, string>): number;
  /** Sum over the samples of `name` whose labels include `labels` (0 when none). */
  sum(name: string, labels?: Record<string, string>): number;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (m) types.set(m[1]!, m[2]!);
      continue;
    }
    samples.push(parseSample(line));
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  return {
    samples,
    types,
    find,
    value(name, labels) {
      const found = find(name, labels);
      if (found.length !== 1) {
        throw new Error(
          `${found.length} samples of ${name}${JSON.stringify(labels ?? {})}:\n` +
            samples
              .filter((s) => s.name === name)
              .map((s) => `${JSON.stringify(s.labels)} ${s.value}`)
              .join('\n'),
        );
      }
      return found[0]!.value;
    },
    sum: (name, labels) => find(name, labels).reduce((a, s) => a + s.value, 0),
  };
}

function parseSample(line: string): Sample {
  const brace = line.indexOf('{');
  const space = line.lastIndexOf(' ');
  if (brace < 0 || brace > space) {
    return { name: line.slice(0, space), labels: {}, value: Number(line.slice(space + 1)) };
  }
  const name = line.slice(0, brace);
  const labels: Record<string, string> = {};
  let i = brace + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('="', i);
    const key = line.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; line[j] !== '"'; j++) {
      if (j >= line.length) throw new Error(`unterminated label value: ${line}`);
      if (line[j] === '\\') {
        j++;
        value += line[j] === 'n' ? '\n' : line[j];
      } else value += line[j];
    }
    labels[key] = value;
    i = j + 1;
    if (line[i] === ',') i++;
  }
  return {
    name,
    labels,
    value: Number(
      line
        .slice(i + 1)
        .trim()
        .split(' ')[0],
    ),
  };
}
