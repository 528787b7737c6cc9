import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CCError, type TokenInfo } from '@commandcenter/protocol';
import type { Queryable, Store } from '../store/port.js';
import type { Principal, Role } from './roles.js';

export type { TokenInfo };

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A fresh secret: `cc_` + 43 base64url characters (256 random bits). */
export const newSecret = (prefix = 'cc_') => prefix + randomBytes(32).toString('base64url');

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  project: string | null;
  created_at: Date;
  created_by: string | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const view = (r: TokenRow): TokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  project: r.project,
  createdAt: iso(r.created_at)!,
  createdBy: r.created_by,
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
});

/**
 * API tokens: random 256-bit values shown once and stored as SHA-256 hashes (a slow hash adds
 * nothing for values this long). Verified tokens are cached for `cacheMs`; a revocation made by
 * another process is seen within that time, one made by this process at once.
 */
export class TokenStore {
  private readonly cache = new Map<string, { row: TokenRow; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly cacheMs = 5_000,
  ) {}

  async create(
    p: {
      name: string;
      role: Role;
      project: string | null;
      expiresAt?: Date | null;
      createdBy?: string | null;
      /** Use this value instead of a random one (CC_ADMIN_TOKEN). */
      value?: string;
    },
    db: Queryable = this.store,
  ): Promise<TokenInfo & { token: string }> {
    const token = p.value ?? newSecret();
    const r = await db.query<TokenRow>(
      `INSERT INTO tokens (id, name, role, project, hash, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        randomUUID(),
        p.name,
        p.role,
        p.project,
        sha256(token),
        p.createdBy ?? null,
        p.expiresAt ?? null,
      ],
    );
    return { ...view(r.rows[0]!), token };
  }

  /** Makes sure a hub-wide admin token with this value exists and is usable (CC_ADMIN_TOKEN). */
  async ensureAdmin(value: string): Promise<void> {
    const hash = sha256(value);
    const r = await this.store.query(
      `UPDATE tokens SET role = 'admin', project = NULL, revoked_at = NULL, expires_at = NULL
        WHERE hash = $1`,
      [hash],
    );
    if (r.rowCount === 0) {
      await this.store.query(
        `INSERT INTO tokens (id, name, role, project, hash, created_by)
         VALUES ($1, 'CC_ADMIN_TOKEN', 'admin', NULL, $2, 'environment') ON CONFLICT (hash) DO NOTHING`,
        [randomUUID(), hash],
      );
    }
    this.cache.delete(hash);
  }

  /** Tokens of one project (and, for a hub-wide caller, the hub-wide ones too). */
  async list(project: string | null): Promise<TokenInfo[]> {
    const r =
      project === null
        ? await this.store.query<TokenRow>('SELECT * FROM tokens ORDER BY created_at, id')
        : await this.store.query<TokenRow>(
            'SELECT * FROM tokens WHERE project = $1 ORDER BY created_at, id',
            [project],
          );
    return r.rows.map(view);
  }

  async get(id: string): Promise<TokenInfo | undefined> {
    const r = await this.store.query<TokenRow>('SELECT * FROM tokens WHERE id = $1', [id]);
    return r.rows[0] && view(r.rows[0]);
  }

  async revoke(id: string): Promise<TokenInfo> {
    const r = await this.store.query<TokenRow>(
      `UPDATE tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *`,
      [id],
    );
    const row = r.rows[0];
    if (!row) throw CCError.notFound(`token ${id}`);
    for (const [k, v] of this.cache) if (v.row.id === id) this.cache.delete(k);
    return view(row);
  }

  /** The principal of a presented token, or a 401 saying what is wrong with it. */
  async verify(token: string): Promise<Principal> {
    const hash = sha256(token);
    const now = Date.now();
    let hit = this.cache.get(hash);
    if (!hit || hit.until < now) {
      const r = await this.store.query<TokenRow>('SELECT * FROM tokens WHERE hash = $1', [hash]);
      const row = r.rows[0];
      if (!row) {
        this.cache.delete(hash);
        throw new CCError('CC_E_UNAUTHORIZED', { detail: 'the API token is not valid' });
      }
      hit = { row, until: now + this.cacheMs };
      this.cache.set(hash, hit);
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    }
    const row = hit.row;
    if (row.revoked_at) {
      throw new CCError('CC_E_TOKEN_REVOKED', {
        detail: `the API token "${row.name}" was revoked at ${iso(row.revoked_at)}`,
      });
    }
    if (row.expires_at && new Date(row.expires_at).getTime() <= now) {
      throw new CCError('CC_E_TOKEN_EXPIRED', {
        detail: `the API token "${row.name}" expired at ${iso(row.expires_at)}`,
      });
    }
    return { tokenId: row.id, name: row.name, role: row.role, project: row.project };
  }
}
