import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CCError } from '@commandcenter/protocol';

/** The AES-256-GCM key that encrypts project secrets, and where it came from. */
export interface SecretKey {
  key: Buffer;
  /** First 12 hex characters of sha256(key): names the key in rows and errors, reveals nothing. */
  keyId: string;
  source: 'env' | 'file';
}

/** Name of the key file in the data directory (used when CC_SECRET_KEY is not set). */
export const SECRET_KEY_FILE = 'secret.key';

const GENERATE = 'generate one with `openssl rand -base64 32`';

/**
 * The secrets key: `secretKey` (the value of CC_SECRET_KEY, read by config.ts) when given, else
 * `<dataDir>/secret.key`, created on first use with 32 random bytes and mode 0600. The key is
 * never stored in the database. Throws `CC_E_CONFIG_INVALID` for a malformed key or a key file
 * that other users can read.
 */
export function loadSecretKey(opts: { secretKey?: string; dataDir: string }): SecretKey {
  if (opts.secretKey !== undefined && opts.secretKey !== '') {
    const key = parseKey(opts.secretKey);
    if (!key) {
      throw new CCError('CC_E_CONFIG_INVALID', {
        detail:
          `CC_SECRET_KEY must be 32 bytes written as base64 (44 characters) or hex (64 characters); ` +
          `the value given has ${opts.secretKey.trim().length} characters and is neither: ${GENERATE}`,
      });
    }
    return { key, keyId: keyIdOf(key), source: 'env' };
  }
  const path = join(opts.dataDir, SECRET_KEY_FILE);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const created = createKeyFile(path);
  const key = created ?? readKeyFile(path);
  return { key, keyId: keyIdOf(key), source: 'file' };
}

/** First 12 hex characters of sha256(key). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** 32 bytes from base64 (44 characters, padded) or hex (64 characters); undefined otherwise. */
function parseKey(text: string): Buffer | undefined {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[A-Za-z0-9+/]{43}=$/.test(t)) key = Buffer.from(t, 'base64');
  else if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  return key?.length === 32 ? key : undefined;
}

/**
 * Creates the key file atomically: the key is written to a private temporary file (flag `wx`,
 * mode 0600) that is then hard-linked into place, so a concurrent process either wins the link or
 * reads a complete file, never a half-written one. Returns undefined when the file already exists.
 */
function createKeyFile(path: string): Buffer | undefined {
  const key = randomBytes(32);
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    linkSync(tmp, path);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `cannot create the secrets key file ${path}: ${(err as Error).message}; make the data directory writable or set CC_SECRET_KEY (${GENERATE})`,
      cause: err,
    });
  } finally {
    rmSync(tmp, { force: true });
  }
}

function readKeyFile(path: string): Buffer {
  const st = statSync(path);
  if (!st.isFile()) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `the secrets key file ${path} is not a regular file; remove it or set CC_SECRET_KEY`,
    });
  }
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `the secrets key file ${path} is readable by other users (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')}); run \`chmod 600 ${path}\``,
    });
  }
  const key = parseKey(readFileSync(path, 'utf8'));
  if (!key) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail: `the secrets key file ${path} does not hold a 32-byte key (base64 or hex); restore it from a backup (secrets encrypted with it cannot be read otherwise) or set CC_SECRET_KEY`,
    });
  }
  return key;
}
