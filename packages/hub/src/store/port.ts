/**
 * The store port: the only thing the engine knows about the database. Deliberately tiny (as in
 * pg-boss) so that one set of SQL and one test suite serve PGlite and PostgreSQL alike.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * One dedicated connection, for state that lives as long as a database session (session-level
 * advisory locks: leadership). Not for ordinary queries, which go through the store's pool.
 */
export interface StoreSession extends Queryable {
  /**
   * Settles when the connection is gone for any reason: `release()`, `Store.close()`, or lost (server
   * restart, `pg_terminate_backend`, network). Whatever the session held (locks) is gone with it.
   */
  readonly ended: Promise<void>;
  /** Closes the connection (PostgreSQL) and so releases every session-level lock it held. */
  release(): Promise<void>;
}

export interface Store extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Schema every unqualified name resolves to (tests run each in its own schema). */
  readonly schema: string;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Subscribes to NOTIFY on `channel` (already schema-prefixed by the caller). On PGlite this is
   * served in-process; on PostgreSQL by one dedicated LISTEN connection.
   */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * A dedicated session. PostgreSQL: a new connection outside the pool (same schema). PGlite: its
   * one connection, shared with everything else (PGlite is one process, so session state such as
   * an advisory lock is never contended by another process); `release()` then closes nothing.
   */
  session(): Promise<StoreSession>;
  close(): Promise<void>;
}

/** Channel names are per schema so that tests in parallel schemas never wake each other. */
export function channelName(schema: string, name: string): string {
  return `${schema}_${name}`.toLowerCase();
}
