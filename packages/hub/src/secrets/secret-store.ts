import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CCError, problem, secretNamePattern } from '@commandcenter/protocol';
import type { Store } from '../store/port.js';
import type { SecretResolver } from './secret-resolver.js';

/** Largest secret value, in bytes of UTF-8. */
export const MAX_SECRET_BYTES = 64 * 1024;

const NAME = new RegExp(secretNamePattern);
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;

/** A value encrypted by {@link SecretStore.encrypt}. */
export interface SealedValue {
  keyId: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/** A secret as listed: never its value. */
export interface SecretInfo {
  name: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface SecretRow {
  name: string;
  key_id: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/**
 * Project secrets, encrypted at rest with AES-256-GCM (SPEC §7). Each write uses a fresh random
 * IV; the row's project and name are the additional authenticated data, so a ciphertext moved to
 * another row (or altered) fails to decrypt. Plaintext exists only inside a call.
 */
export class SecretStore implements SecretResolver {
  private readonly key: Buffer;
  private readonly keyId: string;

  constructor(
    private readonly store: Store,
    key: { key: Buffer; keyId: string },
  ) {
    if (key.key.length !== 32) throw new Error('the secrets key must be 32 bytes (AES-256)');
    this.key = key.key;
    this.keyId = key.keyId;
  }

  /** Creates the secret or replaces its value (the version goes up by one). */
  async set(
    project: string,
    name: string,
    value: string,
  ): Promise<{ name: string; version: number; created: boolean }> {
    checkName(name);
    checkValue(value);
    const sealed = this.seal(project, name, value);
    const r = await this.write(
      project,
      `INSERT INTO secrets (project, name, version, key_id, iv, ciphertext, tag)
       VALUES ($1, $2, 1, $3, $4, $5, $6)
       ON CONFLICT (project, name) DO UPDATE
         SET version = secrets.version + 1, key_id = EXCLUDED.key_id, iv = EXCLUDED.iv,
             ciphertext = EXCLUDED.ciphertext, tag = EXCLUDED.tag, updated_at = now()
       RETURNING version`,
      [project, name, this.keyId, sealed.iv, sealed.ciphertext, sealed.tag],
    );
    const version = r.rows[0]!.version;
    // An update always raises the version to 2 or more, so version 1 means the row is new.
    return { name, version, created: version === 1 };
  }

  /** Replaces the value of an existing secret; `CC_E_NOT_FOUND` when it is not set. */
  async rotate(
    project: string,
    name: string,
    value: string,
  ): Promise<{ name: string; version: number }> {
    checkName(name);
    checkValue(value);
    const sealed = this.seal(project, name, value);
    const r = await this.store.query<{ version: number }>(
      `UPDATE secrets
          SET version = version + 1, key_id = $3, iv = $4, ciphertext = $5, tag = $6,
              updated_at = now()
        WHERE project = $1 AND name = $2
        RETURNING version`,
      [project, name, this.keyId, sealed.iv, sealed.ciphertext, sealed.tag],
    );
    const row = r.rows[0];
    if (!row) throw CCError.notFound(`secret ${name}`);
    return { name, version: row.version };
  }

  /** Names, versions and times of a project's secrets, by name. Never values. */
  async list(project: string): Promise<SecretInfo[]> {
    const r = await this.store.query<{
      name: string;
      version: number;
      created_at: Date | string;
      updated_at: Date | string;
    }>(
      `SELECT name, version, created_at, updated_at FROM secrets WHERE project = $1 ORDER BY name`,
      [project],
    );
    return r.rows.map((row) => ({
      name: row.name,
      version: row.version,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    }));
  }

  /** Deletes a secret; `CC_E_NOT_FOUND` when it is not set. */
  async delete(project: string, name: string): Promise<void> {
    checkName(name);
    const r = await this.store.query<{ name: string }>(
      'DELETE FROM secrets WHERE project = $1 AND name = $2 RETURNING name',
      [project, name],
    );
    if (r.rows.length === 0) throw CCError.notFound(`secret ${name}`);
  }

  /**
   * Decrypted values of `names` (duplicates ignored). `CC_E_SECRET_MISSING` names every secret
   * that is not set; `CC_E_SECRET_KEY_MISMATCH` when a row was encrypted with another key or fails
   * authentication. Nothing is cached.
   */
  async resolve(project: string, names: string[]): Promise<Record<string, string>> {
    const wanted = [...new Set(names)];
    if (wanted.length === 0) return {};
    wanted.forEach(checkName);
    const r = await this.store.query<SecretRow>(
      `SELECT name, key_id, iv, ciphertext, tag FROM secrets
        WHERE project = $1 AND name = ANY($2::text[])`,
      [project, wanted],
    );
    const rows = new Map(r.rows.map((row) => [row.name, row]));
    const missing = wanted.filter((n) => !rows.has(n)).sort();
    if (missing.length > 0) {
      const list = missing.join(', ');
      throw new CCError('CC_E_SECRET_MISSING', {
        detail:
          missing.length === 1
            ? `secret ${list} is not set in project ${project}`
            : `secrets ${list} are not set in project ${project}`,
      });
    }
    const values: [string, string][] = [];
    for (const name of wanted) values.push([name, this.open(project, rows.get(name)!)]);
    // fromEntries defines own properties, so a name like `__proto__` stays an ordinary key.
    return Object.fromEntries(values);
  }

  /**
   * Encrypts a value that is not a project secret (a webhook signing secret) with the same key;
   * `context` is its additional authenticated data, so it decrypts only under the same context.
   */
  encrypt(context: readonly string[], value: string): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(['cc-sealed', ...context]), 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return { keyId: this.keyId, iv, ciphertext, tag: cipher.getAuthTag() };
  }

  /** Decrypts what {@link encrypt} sealed under the same `context`. */
  decrypt(context: readonly string[], sealed: SealedValue): string {
    if (sealed.keyId !== this.keyId) {
      throw new CCError('CC_E_SECRET_KEY_MISMATCH', {
        detail: `${context.join(' ')} was encrypted with key ${sealed.keyId}, but this process has key ${this.keyId}`,
      });
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, bytes(sealed.iv));
      decipher.setAAD(Buffer.from(JSON.stringify(['cc-sealed', ...context]), 'utf8'));
      decipher.setAuthTag(bytes(sealed.tag));
      return Buffer.concat([decipher.update(bytes(sealed.ciphertext)), decipher.final()]).toString(
        'utf8',
      );
    } catch (err) {
      throw new CCError('CC_E_SECRET_KEY_MISMATCH', {
        detail: `${context.join(' ')} fails authentication with key ${this.keyId}`,
        cause: err,
      });
    }
  }

  private seal(project: string, name: string, value: string) {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(aad(project, name));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return { iv, ciphertext, tag: cipher.getAuthTag() };
  }

  private open(project: string, row: SecretRow): string {
    if (row.key_id !== this.keyId) {
      throw new CCError('CC_E_SECRET_KEY_MISMATCH', {
        detail: `secret ${row.name} in project ${project} was encrypted with key ${row.key_id}, but this process has key ${this.keyId}`,
      });
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, bytes(row.iv));
      decipher.setAAD(aad(project, row.name));
      decipher.setAuthTag(bytes(row.tag));
      return Buffer.concat([decipher.update(bytes(row.ciphertext)), decipher.final()]).toString(
        'utf8',
      );
    } catch (err) {
      throw new CCError('CC_E_SECRET_KEY_MISMATCH', {
        detail: `secret ${row.name} in project ${project} fails authentication with key ${this.keyId}: its stored ciphertext was altered or copied from another row; set the secret again`,
        cause: err,
      });
    }
  }

  /** A write that names a missing project clearly instead of surfacing a foreign-key error. */
  private async write(project: string, sql: string, params: unknown[]) {
    try {
      return await this.store.query<{ version: number }>(sql, params);
    } catch (err) {
      if ((err as { code?: unknown }).code === '23503')
        throw CCError.notFound(`project ${project}`);
      throw err;
    }
  }
}

/** The additional authenticated data of a row: binds the ciphertext to its project and name. */
function aad(project: string, name: string): Buffer {
  return Buffer.from(JSON.stringify(['cc-secret', project, name]), 'utf8');
}

/** bytea comes back as Buffer from pg and as Uint8Array from PGlite. */
function bytes(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw CCError.invalid('CC_E_BAD_REQUEST', [
      problem(
        'CC_E_BAD_REQUEST',
        'name',
        `Secret name ${JSON.stringify(name)} is not valid.`,
        'Use letters, digits and _ only, starting with a letter or _ (at most 128 characters), e.g. API_TOKEN.',
      ),
    ]);
  }
}

function checkValue(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw CCError.invalid('CC_E_BAD_REQUEST', [
      problem(
        'CC_E_BAD_REQUEST',
        'value',
        'The secret value must be a non-empty string.',
        'Give the value as a non-empty string.',
      ),
    ]);
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
    throw CCError.invalid('CC_E_BAD_REQUEST', [
      problem(
        'CC_E_BAD_REQUEST',
        'value',
        `The secret value is ${Buffer.byteLength(value, 'utf8')} bytes; at most ${MAX_SECRET_BYTES} bytes (64 KiB) are allowed.`,
        'Store a shorter value (keep large files elsewhere and store their location or a key to them).',
      ),
    ]);
  }
}
