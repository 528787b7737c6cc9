import { CCError } from '@commandcenter/protocol';
import type { Store } from '../store/port.js';
import type { Principal, Role } from './roles.js';
import { newSecret, sha256 } from './token-store.js';

export const SESSION_COOKIE = 'cc_session';

/**
 * UI sessions (an HttpOnly cookie whose hash is stored) and the one-time login links that
 * `commandcenter up` prints. A session carries the rights of the token it was opened with.
 */
export class SessionStore {
  constructor(
    private readonly store: Store,
    readonly ttlMs = 12 * 3_600_000,
  ) {}

  async open(who: Principal): Promise<{ cookie: string; expiresAt: Date }> {
    const cookie = newSecret('ccs_');
    const expiresAt = new Date(Date.now() + this.ttlMs);
    await this.store.query(
      `INSERT INTO sessions (hash, token_id, name, role, project, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [sha256(cookie), who.tokenId, who.name, who.role, who.project, expiresAt],
    );
    return { cookie, expiresAt };
  }

  /**
   * The principal of a session cookie. A session opened with a token ends when the token is
   * revoked or expires.
   */
  async verify(cookie: string): Promise<Principal> {
    const r = await this.store.query<{
      token_id: string | null;
      name: string;
      role: Role;
      project: string | null;
      usable: boolean;
    }>(
      `SELECT s.token_id, s.name, s.role, s.project,
              (t.id IS NULL OR (t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()))) AS usable
         FROM sessions s LEFT JOIN tokens t ON t.id = s.token_id
        WHERE s.hash = $1 AND s.expires_at > now()`,
      [sha256(cookie)],
    );
    const s = r.rows[0];
    if (!s || !s.usable) {
      throw new CCError('CC_E_UNAUTHORIZED', {
        detail: 'the session has ended; log in again',
      });
    }
    return { tokenId: s.token_id, name: s.name, role: s.role, project: s.project };
  }

  async close(cookie: string): Promise<void> {
    await this.store.query('DELETE FROM sessions WHERE hash = $1', [sha256(cookie)]);
  }

  /** A one-time login code, valid for `ttlMs`, that opens a hub-wide admin session. */
  async createLoginCode(ttlMs = 15 * 60_000): Promise<string> {
    const code = newSecret('ccl_');
    await this.store.query('INSERT INTO login_codes (hash, expires_at) VALUES ($1, $2)', [
      sha256(code),
      new Date(Date.now() + ttlMs),
    ]);
    return code;
  }

  /** Uses a login code up (atomically: a second use fails) and opens its session. */
  async redeemLoginCode(code: string): Promise<{ cookie: string; expiresAt: Date }> {
    const r = await this.store.query(
      `UPDATE login_codes SET used_at = now()
        WHERE hash = $1 AND used_at IS NULL AND expires_at > now()`,
      [sha256(code)],
    );
    if (r.rowCount === 0) {
      throw new CCError('CC_E_UNAUTHORIZED', {
        detail:
          'this login link was already used or has expired; restart the hub for a new one, or log in with a token',
      });
    }
    return this.open({ tokenId: null, name: 'login-link', role: 'admin', project: null });
  }

  /** Deletes ended sessions and login codes. */
  async prune(): Promise<void> {
    await this.store.query('DELETE FROM sessions WHERE expires_at < now()');
    await this.store.query('DELETE FROM login_codes WHERE expires_at < now()');
  }
}
