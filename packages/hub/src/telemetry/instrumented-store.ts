import type { Registry } from 'prom-client';
import type { Queryable, QueryResult, Store, StoreSession } from '../store/port.js';
import { PREFIX, QUERY_BUCKETS, counter, histogram } from './metrics.js';

export type Operation = 'select' | 'insert' | 'update' | 'delete' | 'other';

/**
 * A Store decorator that times every query — plain, inside a transaction, on a session — in one
 * place ({@link timed}); listen/close pass through. Engine transitions (`SELECT cc_…(…)`) are
 * `other`: they read and write, and their cost is the store's, not a select's.
 */
export function instrumentStore(store: Store, registry: Registry): Store {
  const duration = histogram(registry, {
    name: `${PREFIX}store_query_duration_seconds`,
    help: 'Duration of store queries, by statement kind',
    labelNames: ['operation'],
    buckets: QUERY_BUCKETS,
  });
  const errors = counter(registry, {
    name: `${PREFIX}store_errors_total`,
    help: 'Store queries that failed, by statement kind',
    labelNames: ['operation'],
  });

  async function timed<R>(sql: string, run: () => Promise<QueryResult<R>>) {
    const operation = operationOf(sql);
    const start = performance.now();
    try {
      return await run();
    } catch (err) {
      errors.inc({ operation });
      throw err;
    } finally {
      duration.observe({ operation }, (performance.now() - start) / 1000);
    }
  }

  return decorateQueries(store, timed);
}

/** Runs one query for a decorator (timing it, recording a span) around it. */
export type QueryHook = <R>(
  sql: string,
  run: () => Promise<QueryResult<R>>,
) => Promise<QueryResult<R>>;

/**
 * The Store decorator itself: every query — plain, inside a transaction, on a session — goes
 * through `hook`; listen/close pass through. Metrics ({@link instrumentStore}) and tracing
 * (tracing-store.ts) are each one hook.
 */
export function decorateQueries(store: Store, hook: QueryHook): Store {
  const wrap = (q: Queryable): Queryable => ({
    query: <R>(sql: string, params?: unknown[]) => hook(sql, () => q.query<R>(sql, params)),
  });

  return {
    kind: store.kind,
    schema: store.schema,
    query: (sql, params) => hook(sql, () => store.query(sql, params)),
    transaction: (fn) => store.transaction((tx) => fn(wrap(tx))),
    listen: (channel, handler) => store.listen(channel, handler),
    async session(): Promise<StoreSession> {
      const s = await store.session();
      return { ...wrap(s), ended: s.ended, release: () => s.release() };
    },
    close: () => store.close(),
  };
}

const ENGINE_CALL = /^\s*select\s+cc_\w+\s*\(/i;
const KEYWORD = /^\s*(?:--[^\n]*\n\s*)*(\w+)/;
const KINDS = new Set<string>(['select', 'insert', 'update', 'delete']);
const seen = new Map<string, Operation>();

/** The kind of a statement from its first keyword (texts are constants: classified once). */
export function operationOf(sql: string): Operation {
  let op = seen.get(sql);
  if (op) return op;
  const word = KEYWORD.exec(sql)?.[1]?.toLowerCase() ?? '';
  op = ENGINE_CALL.test(sql) ? 'other' : KINDS.has(word) ? (word as Operation) : 'other';
  if (seen.size < 2_000) seen.set(sql, op);
  return op;
}
