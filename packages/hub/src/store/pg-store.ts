import pg from 'pg';
import type { Queryable, Store, StoreSession } from './port.js';

export interface PgStoreOptions {
  connectionString: string;
  schema?: string;
  /** Pool size; each worker slot needs at most one connection at a time. */
  max?: number;
}

// A multi-statement query (migrations) answers with one result per statement: keep the last.
function last(res: pg.QueryResult | pg.QueryResult[]) {
  const r = Array.isArray(res) ? res[res.length - 1]! : res;
  return { rows: r.rows ?? [], rowCount: r.rowCount ?? r.rows?.length ?? 0 };
}

// Parameterized statements are prepared once per connection under a stable name: the engine's
// hot calls are a handful of constant texts, so this saves a parse and plan per round trip.
const names = new Map<string, string>();
function prepared(text: string, values: unknown[] | undefined): pg.QueryConfig | string {
  if (values === undefined) return text;
  let name = names.get(text);
  if (!name) {
    if (names.size >= 500) return { text, values };
    name = `cc_${names.size}`;
    names.set(text, name);
  }
  return { name, text, values };
}

const quote = (id: string) => `"${id.replaceAll('"', '""')}"`;

/** PostgreSQL through `pg`: a pool for queries, one extra client for LISTEN, one per session. */
export async function openPgStore(opts: PgStoreOptions): Promise<Store> {
  const schema = opts.schema ?? 'public';
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 20,
    options: `-c search_path=${quote(schema)}`,
  });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => {});
  if (schema !== 'public') await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);

  let listener: pg.Client | undefined;
  const sessions = new Set<pg.Client>();
  const handlers = new Map<string, Set<(payload: string) => void>>();
  let closed = false;

  async function listenerClient(): Promise<pg.Client> {
    if (listener) return listener;
    const client = new pg.Client({ connectionString: opts.connectionString });
    client.on('error', () => {});
    client.on('notification', (msg) => {
      for (const h of handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    await client.connect();
    listener = client;
    return client;
  }

  return {
    kind: 'postgres',
    schema,
    query: async (sql, params) => {
      return last(await pool.query(prepared(sql, params) as pg.QueryConfig, params)) as never;
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async (sql, params) => {
            return last(
              await client.query(prepared(sql, params) as pg.QueryConfig, params),
            ) as never;
          },
        };
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel, handler) {
      const client = await listenerClient();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await client.query(`LISTEN ${quote(channel)}`);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && !closed) {
          handlers.delete(channel);
          await client.query(`UNLISTEN ${quote(channel)}`).catch(() => {});
        }
      };
    },
    async session(): Promise<StoreSession> {
      if (closed) throw new Error('the store is closed');
      const client = new pg.Client({
        connectionString: opts.connectionString,
        options: `-c search_path=${quote(schema)}`,
        keepAlive: true,
      });
      let ended!: () => void;
      const done = new Promise<void>((resolve) => (ended = resolve));
      // A lost connection surfaces through `ended`; it must not crash the process.
      client.on('error', () => {});
      client.on('end', () => {
        sessions.delete(client);
        ended();
      });
      try {
        await client.connect();
      } catch (err) {
        await client.end().catch(() => {});
        ended();
        throw err;
      }
      sessions.add(client);
      return {
        ended: done,
        query: async (sql, params) => last(await client.query(sql, params)) as never,
        async release() {
          sessions.delete(client);
          await client.end().catch(() => {});
          ended();
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener?.end().catch(() => {});
      await Promise.all([...sessions].map((c) => c.end().catch(() => {})));
      await pool.end();
    },
  };
}
