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
  close(): Promise<void>;
}

/** Channel names are per schema so that tests in parallel schemas never wake each other. */
export function channelName(schema: string, name: string): string {
  return `${schema}_${name}`.toLowerCase();
}
