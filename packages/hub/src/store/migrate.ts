import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Store } from './port.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** The numbered SQL files (`001_schema.sql`, ...) in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ id: Number(f.slice(0, 3)), name: f, sql: readFileSync(dir + f, 'utf8') }));
}

/**
 * Applies pending migrations, each in its own transaction, under an advisory lock so that any
 * number of processes starting together on one PostgreSQL migrate exactly once.
 */
export async function migrate(store: Store): Promise<{ applied: string[] }> {
  const migrations = loadMigrations();
  const applied: string[] = [];
  await store.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('cc-migrate:' || current_schema()))`);
    await tx.query(`CREATE TABLE IF NOT EXISTS cc_migrations (
      id int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await tx.query<{ id: number }>('SELECT id FROM cc_migrations')).rows.map((r) => r.id),
    );
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await tx.query(m.sql);
      await tx.query('INSERT INTO cc_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      applied.push(m.name);
    }
  });
  return { applied };
}

/** Whether every shipped migration is applied (for /readyz). */
export async function migrationsCurrent(store: Store): Promise<boolean> {
  const latest = Math.max(...loadMigrations().map((m) => m.id));
  try {
    const r = await store.query<{ max: number | null }>('SELECT max(id) AS max FROM cc_migrations');
    return (r.rows[0]?.max ?? 0) >= latest;
  } catch {
    return false;
  }
}
