import { randomBytes, randomUUID } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Queryable, Store } from '../store/port.js';

/** The trigger key of webhook `name` (as `trigger-key.ts` makes it). */
export const webhookTriggerKey = (name: string) => `webhook:${name}`;

/** The longest a previous secret may stay valid after a rotation. */
export const MAX_PREVIOUS_VALID_MS = 30 * 86_400_000;

/** A secret just created: the only time its value is shown. */
export interface RotatedWebhookSecret {
  secret: string;
  createdAt: Date;
  /** When the secret it replaces stops being accepted; null when there was none. */
  previousExpiresAt: Date | null;
  /** The triggers (of every workflow declaring this webhook) that now have it. */
  triggerIds: string[];
}

/** Whether a webhook has a secret, and since when (never its value). */
export interface WebhookSecretState {
  createdAt: Date;
  /** The previous secret's expiry while a rotation is in progress, else null. */
  previousExpiresAt: Date | null;
}

interface SealedRow {
  trigger_id: string;
  key_id: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/**
 * Signing secrets of webhook triggers, encrypted at rest with the hub's secrets key (AES-256-GCM;
 * the additional data binds each row to its project and trigger).
 *
 * The secret belongs to the webhook URL `/hooks/<project>/<name>`: every workflow of the project
 * that declares `webhook: <name>` shares it (one sender, one secret, every bound workflow fires).
 * It is stored once per trigger row, inactive ones included, and rotated for all of them at once,
 * so a trigger that comes back gets no stale secret. A rotation keeps the replaced secret valid
 * until `previousExpiresAt` — at most two are valid at any time.
 */
export class WebhookSecrets {
  constructor(
    private readonly store: Store,
    private readonly sealer: Pick<SecretStore, 'encrypt' | 'decrypt'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The secret values that sign deliveries of webhook `name` now (none before the first). */
  async valid(project: string, name: string): Promise<string[]> {
    const r = await this.store.query<SealedRow>(
      `SELECT s.trigger_id, s.key_id, s.iv, s.ciphertext, s.tag
         FROM webhook_secrets s JOIN triggers t ON t.id = s.trigger_id
        WHERE t.project = $1 AND t.key = $2 AND (s.expires_at IS NULL OR s.expires_at > $3)`,
      [project, webhookTriggerKey(name), this.now()],
    );
    const values = r.rows.map((row) =>
      this.sealer.decrypt([project, row.trigger_id], {
        keyId: row.key_id,
        iv: row.iv,
        ciphertext: row.ciphertext,
        tag: row.tag,
      }),
    );
    return [...new Set(values)];
  }

  /** The webhook's current secret (when it has one) and the previous one's expiry. */
  async state(project: string, name: string): Promise<WebhookSecretState | null> {
    const r = await this.store.query<{ created_at: Date | null; previous: Date | null }>(
      `SELECT max(s.created_at) FILTER (WHERE s.expires_at IS NULL) AS created_at,
              max(s.expires_at) FILTER (WHERE s.expires_at > $3) AS previous
         FROM webhook_secrets s JOIN triggers t ON t.id = s.trigger_id
        WHERE t.project = $1 AND t.key = $2`,
      [project, webhookTriggerKey(name), this.now()],
    );
    const row = r.rows[0];
    if (!row?.created_at) return null;
    return {
      createdAt: new Date(row.created_at),
      previousExpiresAt: row.previous ? new Date(row.previous) : null,
    };
  }

  /**
   * Creates a new secret for webhook `name` (its first one, or a rotation). The current secret
   * stays valid for `previousValidForMs` more (0 revokes it now); an older one still in its grace
   * period is revoked, so at most two are ever valid.
   */
  async rotate(
    project: string,
    name: string,
    previousValidForMs: number,
  ): Promise<RotatedWebhookSecret> {
    const secret = `ccwh_${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    const until = new Date(now.getTime() + previousValidForMs);
    return this.store.transaction(async (tx) => {
      // Locks the webhook's trigger rows: concurrent rotations of one webhook run one after another.
      const triggers = await tx.query<{ id: string }>(
        'SELECT id FROM triggers WHERE project = $1 AND key = $2 ORDER BY id FOR UPDATE',
        [project, webhookTriggerKey(name)],
      );
      const ids = triggers.rows.map((t) => t.id);
      await tx.query(
        `UPDATE webhook_secrets SET expires_at = $2 WHERE trigger_id = ANY($1::uuid[]) AND expires_at > $2`,
        [ids, now],
      );
      const replaced = await tx.query(
        `UPDATE webhook_secrets SET expires_at = $2
          WHERE trigger_id = ANY($1::uuid[]) AND expires_at IS NULL RETURNING trigger_id`,
        [ids, until],
      );
      await tx.query(
        'DELETE FROM webhook_secrets WHERE trigger_id = ANY($1::uuid[]) AND expires_at <= $2',
        [ids, now],
      );
      for (const id of ids) await this.insert(tx, project, id, secret, now);
      return {
        secret,
        createdAt: now,
        previousExpiresAt: replaced.rowCount > 0 ? until : null,
        triggerIds: ids,
      };
    });
  }

  private async insert(
    tx: Queryable,
    project: string,
    triggerId: string,
    secret: string,
    now: Date,
  ): Promise<void> {
    const sealed = this.sealer.encrypt([project, triggerId], secret);
    await tx.query(
      `INSERT INTO webhook_secrets (trigger_id, id, key_id, iv, ciphertext, tag, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [triggerId, randomUUID(), sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag, now],
    );
  }
}
