import type { AuditEntry as AuditRecord, Role } from '@commandcenter/protocol';
import type { Principal } from '../auth/roles.js';
import type { Queryable, Store } from '../store/port.js';

export interface AuditEntry {
  action: string;
  project: string | null;
  target?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AuditOrigin {
  ip?: string | null;
  userAgent?: string | null;
}

/** The audit log: who changed or decided what, when, and from where (SPEC §7). */
export class AuditLog {
  constructor(private readonly store: Store) {}

  async record(
    who: Principal,
    entry: AuditEntry,
    origin: AuditOrigin = {},
    db: Queryable = this.store,
  ): Promise<void> {
    await db.query(
      `INSERT INTO audit_log (actor, token_id, role, project, action, target, ip, user_agent, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
      [
        who.name,
        who.tokenId,
        who.role,
        entry.project,
        entry.action,
        entry.target ?? null,
        origin.ip ?? null,
        origin.userAgent?.slice(0, 300) ?? null,
        entry.detail ? JSON.stringify(entry.detail) : null,
      ],
    );
  }

  /** Newest first; `before` is the id to continue below; `project` null = every project. */
  async list(p: {
    project: string | null;
    action?: string;
    before?: number;
    limit: number;
  }): Promise<AuditRecord[]> {
    const r = await this.store.query<{
      id: string;
      at: Date;
      actor: string;
      token_id: string | null;
      role: string | null;
      project: string | null;
      action: string;
      target: string | null;
      ip: string | null;
      user_agent: string | null;
      detail: unknown;
    }>(
      `SELECT * FROM audit_log
        WHERE ($1::text IS NULL OR project = $1) AND ($2::text IS NULL OR action = $2)
          AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [p.project, p.action ?? null, p.before ?? null, p.limit],
    );
    return r.rows.map((x) => ({
      id: String(x.id),
      at: new Date(x.at).toISOString(),
      actor: x.actor,
      tokenId: x.token_id,
      role: x.role as Role | null,
      project: x.project,
      action: x.action,
      target: x.target,
      ip: x.ip,
      userAgent: x.user_agent,
      detail: x.detail,
    }));
  }
}
