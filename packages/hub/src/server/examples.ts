import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocumentText } from '@commandcenter/protocol';
import type { Engine } from '../engine/engine.js';

/**
 * Registers `<dir>/agents/*.yaml` (a relative `runtime.cwd` is resolved against the file's
 * folder) and applies `<dir>/workflows/*.yaml` in project `default`. Unchanged files create no
 * versions, so this runs on every start.
 */
export async function applyExamples(
  engine: Engine,
  dir: string,
  log: (line: string) => void = console.log,
): Promise<void> {
  const files = (sub: string) => {
    try {
      return readdirSync(join(dir, sub))
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort()
        .map((f) => join(dir, sub, f));
    } catch {
      return [];
    }
  };
  for (const file of files('agents')) {
    const doc = parseDocumentText(
      readFileSync(file, 'utf8'),
      file.endsWith('.json') ? 'json' : 'yaml',
    ) as { runtime?: { cwd?: string } };
    if (doc.runtime && typeof doc.runtime === 'object') {
      const cwd = doc.runtime.cwd ?? '.';
      doc.runtime.cwd = isAbsolute(cwd) ? cwd : resolve(dirname(file), cwd);
    }
    const r = await engine.registerAgent('default', doc);
    log(`agent ${r.name}@${r.version} ${r.created ? 'registered' : 'unchanged'}`);
  }
  for (const file of files('workflows')) {
    const r = await engine.applyWorkflow('default', readFileSync(file, 'utf8'));
    log(`workflow ${r.name} v${r.version} ${r.created ? 'applied' : 'unchanged'}`);
  }
}
