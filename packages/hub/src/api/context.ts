import type { FastifyRequest } from 'fastify';
import type { TriggerFirer } from '../triggers/trigger-firer.js';
import type { TriggerStore } from '../triggers/trigger-store.js';
import { CCError } from '@commandcenter/protocol';
import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import { authorize, type Principal, type Role } from '../auth/roles.js';
import type { SessionStore } from '../auth/session-store.js';
import type { TokenStore } from '../auth/token-store.js';
import type { Engine } from '../engine/engine.js';
import type { RunQueries } from '../engine/queries.js';
import type { EventFeed } from '../events/event-feed.js';
import type { Executors } from '../executors/registry.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../store/port.js';
import type { CostRates } from '../telemetry/cost.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Tracing } from '../telemetry/tracing.js';
import type { Config } from '../config.js';

/** Everything the HTTP API needs; the hub process builds it (tests build their own). */
export interface ApiDeps {
  store: Store;
  engine: Engine;
  queries: RunQueries;
  executors: Executors;
  tokens: TokenStore;
  sessions: SessionStore;
  audit: AuditLog;
  secrets: SecretStore;
  feed: EventFeed;
  triggers: TriggerStore;
  firer: TriggerFirer;
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** Requests per minute per token (0 = unlimited). */
  rateLimit: number;
  /** Interval of SSE keep-alives (default 15 s). */
  sseKeepaliveMs?: number;
  /** The built web UI served at `/` (default: the repository's packages/web/dist). */
  uiDir?: string;
  /** Whether the store answers and its migrations are current (for /readyz). */
  ready(): Promise<boolean>;
  /** This process's metrics, served at `/metrics` (absent with CC_TELEMETRY=off). */
  metrics?: Metrics;
  /** What turns attempts into cost (`cost` of runs and agents); default: compute is free. */
  cost?: CostRates;
  /** Tracing (OTEL_* variables): a span per request; absent when tracing is off. */
  tracing?: Tracing;
  /** The hub's configuration, for what the UI reads (`GET /api/v1/ui/config`). */
  config?: Readonly<Pick<Config, 'traceUrlTemplate'>>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Reachable without a token. */
    public?: boolean;
    /** Documented request body for routes that validate their document themselves. */
    documentBody?: Record<string, unknown>;
  }
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new CCError('CC_E_UNAUTHORIZED');
  return req.principal;
}

/** Projects known to exist (they are never deleted, so a positive answer can be kept). */
const knownProjects = new WeakMap<Store, Set<string>>();

async function projectExists(store: Store, project: string): Promise<boolean> {
  let set = knownProjects.get(store);
  if (!set) knownProjects.set(store, (set = new Set()));
  if (set.has(project)) return true;
  const r = await store.query('SELECT 1 FROM projects WHERE id = $1', [project]);
  if (r.rowCount > 0) set.add(project);
  return r.rowCount > 0;
}

/**
 * The project a project-scoped request acts in (`?project=`, else the token's, else `default`),
 * checked against the caller's rights: another project's objects answer 404.
 */
export async function scope(deps: ApiDeps, req: FastifyRequest, min: Role): Promise<string> {
  const who = principalOf(req);
  const asked = (req.query as { project?: string } | undefined)?.project;
  const project = asked ?? who.project ?? 'default';
  authorize(who, project, min);
  if (!(await projectExists(deps.store, project))) throw CCError.notFound(`project ${project}`);
  return project;
}

/** Checks access to an object found by id: another project's object is "not found". */
export function own(req: FastifyRequest, project: string, min: Role, what: string): void {
  authorize(principalOf(req), project, min, what);
}

/** Records a successful mutation in the audit log. */
export async function audit(deps: ApiDeps, req: FastifyRequest, entry: AuditEntry): Promise<void> {
  await deps.audit.record(principalOf(req), entry, {
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
  });
}

/** Opaque list cursors: base64url of the key to continue after. */
export const cursor = {
  encode: (key: string) => Buffer.from(key, 'utf8').toString('base64url'),
  decode(raw: string | undefined, valid: RegExp | ((key: string) => boolean)): string | undefined {
    if (raw === undefined) return undefined;
    const key = Buffer.from(raw, 'base64url').toString('utf8');
    if (!(typeof valid === 'function' ? valid(key) : valid.test(key))) {
      throw CCError.invalid('CC_E_BAD_REQUEST', [
        {
          code: 'CC_E_BAD_REQUEST',
          path: 'query.cursor',
          message: `query.cursor ${JSON.stringify(raw.slice(0, 80))} is not a cursor this list produced.`,
          fix: 'Pass the `nextCursor` value of the previous page unchanged, or omit `cursor` to start at the first page.',
        },
      ]);
    }
    return key;
  },
};

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
