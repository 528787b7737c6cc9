import { resolve } from 'node:path';
import { CCError } from '@commandcenter/protocol';

/** Everything the hub reads from its environment, validated once and frozen. */
export interface Config {
  databaseUrl?: string;
  dataDir: string;
  concurrency: number;
  leaseMs: number;
  /** Finished runs older than this are deleted (0 = keep forever). */
  retentionDays: number;
  examplesDir?: string;
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `${name}=${JSON.stringify(raw)} is not valid: use a whole number from ${min} to ${max} (default ${def})`,
    });
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: 'DATABASE_URL must be a postgres:// or postgresql:// connection string',
    });
  }
  return Object.freeze({
    databaseUrl,
    dataDir: resolve(env.CC_DATA_DIR || '.commandcenter'),
    concurrency: int(env, 'CC_CONCURRENCY', 20, 1, 10_000),
    leaseMs: int(env, 'CC_LEASE_MS', 10_000, 500, 3_600_000),
    retentionDays: int(env, 'CC_RETENTION_DAYS', 30, 0, 36_500),
    examplesDir: env.CC_EXAMPLES_DIR || undefined,
  });
}
