/**
 * promtool helpers. promtool has no "parse this expression" command in every version, so the
 * expressions are written as recording rules into a temporary rule file and `promtool check
 * rules` parses them all at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run } from './binaries.js';
import type { Item } from './coverage.js';

/** Resolves with the items promtool cannot parse ("where: promtool's message"). */
export async function unparsable(promtool: string, items: Item[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cc-ops-exprs-'));
  try {
    const file = join(dir, 'exprs.yml');
    const rules = items.map((it, i) => ({ record: `ops_check:expr_${i}`, expr: it.expr }));
    writeFileSync(file, stringify({ groups: [{ name: 'expressions', rules }] }));
    const { code, output } = await run(promtool, ['check', 'rules', file]);
    if (code === 0) return [];
    const bad = [...output.matchAll(/ops_check:expr_(\d+)/g)].map((m) => Number(m[1]));
    if (bad.length === 0) return [`promtool check rules failed: ${output}`];
    return [...new Set(bad)].map(
      (i) => `${items[i]!.where}: ${items[i]!.expr}\n  ${output.trim()}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
