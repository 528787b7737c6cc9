#!/usr/bin/env node
/**
 * `npm start` entry point for this stage of the hub: opens the store (embedded PGlite in
 * CC_DATA_DIR, or PostgreSQL with DATABASE_URL), applies the examples, runs the `hello` example
 * once, and keeps working as an engine worker until SIGINT/SIGTERM (graceful shutdown).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocumentText, isCCError } from '@commandcenter/protocol';
import { loadConfig } from './config.js';
import { Engine } from './engine/engine.js';
import { RunQueries } from './engine/queries.js';
import { createExecutors } from './executors/registry.js';
import { openStore } from './store/open-store.js';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  console.log(
    config.databaseUrl
      ? 'store: PostgreSQL (DATABASE_URL)'
      : `store: embedded PGlite in ${config.dataDir}`,
  );
  const engine = new Engine({
    store,
    executors: createExecutors(),
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
  });
  engine.subscribe((e) => {
    if (
      e.type.startsWith('workflow.run.') ||
      e.type === 'approval.requested' ||
      e.type === 'workflow.step.failed'
    ) {
      const d = e.data as { workflow?: string; nodeId?: string; status?: string };
      console.log(
        `${e.time}  ${e.type.padEnd(24)} ${d.workflow ?? ''} ${e.runId ?? ''} ${d.nodeId ?? ''}`,
      );
    }
  });
  await engine.start();

  const examples = config.examplesDir ?? resolve(here, '../../../examples');
  await applyExamples(engine, examples);

  const run = await engine.createRun('default', 'hello', {
    input: { name: 'CommandCenter users' },
  });
  const status = await engine.waitForRun(run.id);
  const detail = await new RunQueries(store).run('default', run.id);
  console.log(`hello run ${run.id}: ${status}`);
  console.log(JSON.stringify((detail as { output?: unknown }).output, null, 2));
  console.log('worker running; Ctrl-C to stop (running steps finish or are handed back).');

  // Retention, hourly: finished runs only (CC_RETENTION_DAYS, 0 keeps everything).
  if (config.retentionDays > 0) {
    const prune = () =>
      engine
        .pruneRuns(config.retentionDays * 86_400_000)
        .then((n) => n > 0 && console.log(`retention: deleted ${n} finished runs`))
        .catch((err: unknown) => console.error('retention failed:', err));
    void prune();
    setInterval(() => void prune(), 3_600_000).unref();
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping…`);
    await engine.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Registers examples/agents/*.yaml (relative cwd = the file's folder) and applies examples/workflows. */
async function applyExamples(engine: Engine, dir: string): Promise<void> {
  const files = (sub: string) => {
    try {
      return readdirSync(join(dir, sub))
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .map((f) => join(dir, sub, f));
    } catch {
      return [];
    }
  };
  for (const file of files('agents')) {
    const doc = parseDocumentText(
      readFileSync(file, 'utf8'),
      file.endsWith('.json') ? 'json' : 'yaml',
    ) as {
      runtime?: { cwd?: string };
    };
    if (doc.runtime && typeof doc.runtime === 'object') {
      const cwd = doc.runtime.cwd ?? '.';
      doc.runtime.cwd = isAbsolute(cwd) ? cwd : resolve(dirname(file), cwd);
    }
    const r = await engine.registerAgent('default', doc);
    console.log(`agent ${r.name}@${r.version} ${r.created ? 'registered' : 'unchanged'}`);
  }
  for (const file of files('workflows')) {
    const r = await engine.applyWorkflow('default', readFileSync(file, 'utf8'));
    console.log(`workflow ${r.name} v${r.version} ${r.created ? 'applied' : 'unchanged'}`);
  }
}

main().catch((err: unknown) => {
  if (isCCError(err)) {
    console.error(`error ${err.code}: ${err.message}`);
    for (const p of err.problems)
      console.error(`  ${p.path}: ${p.message}${p.fix ? ` — ${p.fix}` : ''}`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
