import { isAbsolute, join, resolve } from 'node:path';
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
  /** Schema of the PostgreSQL database (default `public`); lets several hubs share one database. */
  dbSchema?: string;
  /** HTTP port of the hub (0 = any free port). */
  port: number;
  host: string;
  /** The URL users reach the hub at (for login links); default http://<host>:<port>. */
  publicUrl?: string;
  /** When set, an admin token with this value exists at start (for automation). */
  adminToken?: string;
  /** AES-256-GCM key for secrets (base64 or hex, 32 bytes); default: a key file in dataDir. */
  secretKey?: string;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** Requests per minute per token (0 = unlimited). */
  rateLimit: number;
  /** NATS server(s) for the event bus and `nats` agents; unset: in-process bus, no nats agents. */
  natsUrl?: string;
  /**
   * Directories on the hub's host that built-in agents may read (security-scanner,
   * compliance-checker) and patcher may write in; default `<dataDir>/workspaces`.
   */
  workspaceRoots: readonly string[];
  /**
   * Metrics collection (`CC_TELEMETRY`, default on): off drops every metrics hook (engine events,
   * HTTP, store timing) and `/metrics`.
   */
  telemetry: boolean;
  /**
   * Port of a separate `/metrics` listener (`CC_METRICS_PORT`; 0 = any free port), the way a
   * worker, which has no HTTP server, is scraped; unset: none.
   */
  metricsPort?: number;
  /** USD per second of attempt wall time (`CC_COMPUTE_COST_PER_SECOND`, default 0). */
  computeCostPerSecond: number;
  /**
   * Link of a trace in the tracing UI (`CC_TRACE_URL_TEMPLATE`, `{traceId}` replaced by a run's
   * trace id), e.g. `http://localhost:3000/explore?traceId={traceId}`; unset: the UI shows no link.
   */
  traceUrlTemplate?: string;
  /** The built web UI the hub serves at `/` (default: the repository's packages/web/dist). */
  uiDir?: string;
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

function decimal(env: NodeJS.ProcessEnv, name: string, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(n) || n > max) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `${name}=${JSON.stringify(raw)} is not valid: use a number from 0 to ${max}, e.g. 0.0001 (default 0)`,
    });
  }
  return n;
}

function onOff(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new CCError('CC_E_CONFIG_INVALID', {
    detail: `${name}=${JSON.stringify(raw)} is not valid: use on or off (default ${def ? 'on' : 'off'})`,
  });
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
    dbSchema: schemaName(env.CC_DB_SCHEMA),
    port: int(env, 'CC_PORT', 9002, 0, 65_535),
    host: env.CC_HOST || '127.0.0.1',
    publicUrl: url(env.CC_PUBLIC_URL),
    adminToken: adminToken(env.CC_ADMIN_TOKEN),
    secretKey: env.CC_SECRET_KEY || undefined,
    bodyLimit: int(env, 'CC_BODY_LIMIT', 1_048_576, 1_024, 1_073_741_824),
    rateLimit: int(env, 'CC_RATE_LIMIT', 6_000, 0, 10_000_000),
    natsUrl: natsUrl(env.NATS_URL),
    uiDir: env.CC_UI_DIR ? resolve(env.CC_UI_DIR) : undefined,
    workspaceRoots: workspaceRoots(env.CC_WORKSPACE_ROOTS, env.CC_DATA_DIR),
    telemetry: onOff(env, 'CC_TELEMETRY', true),
    metricsPort: env.CC_METRICS_PORT ? int(env, 'CC_METRICS_PORT', 0, 0, 65_535) : undefined,
    computeCostPerSecond: decimal(env, 'CC_COMPUTE_COST_PER_SECOND', 1_000),
    traceUrlTemplate: traceUrlTemplate(env.CC_TRACE_URL_TEMPLATE),
  });
}

function traceUrlTemplate(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^https?:\/\/\S+$/.test(raw) || !raw.includes('{traceId}')) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `CC_TRACE_URL_TEMPLATE=${JSON.stringify(raw)} must be an http:// or https:// URL containing {traceId}, e.g. http://localhost:3000/explore?traceId={traceId}`,
    });
  }
  return raw;
}

function schemaName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `CC_DB_SCHEMA=${JSON.stringify(raw)} is not valid: use lower-case letters, digits and _ (at most 63)`,
    });
  }
  return raw;
}

function url(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(raw)) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `CC_PUBLIC_URL=${JSON.stringify(raw)} must be an http:// or https:// URL`,
    });
  }
  return raw.replace(/\/+$/, '');
}

function adminToken(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.length < 16 || /\s/.test(raw)) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail:
        'CC_ADMIN_TOKEN must be at least 16 characters without spaces (e.g. `openssl rand -hex 24`)',
    });
  }
  return raw;
}

function natsUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const servers = raw.split(',').map((s) => s.trim());
  if (servers.some((s) => !/^(nats|tls|wss?):\/\/[^\s/]+\/?$|^[^\s/:]+:\d+$/.test(s))) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `NATS_URL=${JSON.stringify(raw)} is not valid: use nats://host:port (several separated by commas)`,
    });
  }
  return servers.join(',');
}

function workspaceRoots(raw: string | undefined, dataDir: string | undefined): string[] {
  if (!raw) return [join(resolve(dataDir || '.commandcenter'), 'workspaces')];
  const roots = raw.split(':').filter(Boolean);
  const bad = roots.find((r) => !isAbsolute(r));
  if (bad !== undefined || roots.length === 0) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `CC_WORKSPACE_ROOTS=${JSON.stringify(raw)} is not valid: use absolute directories separated by ':'`,
    });
  }
  return roots.map((r) => resolve(r));
}
