import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadSecretKey } from './secret-key.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cc-secret-key-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const idOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 12);

describe('loadSecretKey', () => {
  test('CC_SECRET_KEY as base64 (44 characters)', () => {
    const raw = randomBytes(32);
    const dir = tempDir();
    const k = loadSecretKey({ secretKey: raw.toString('base64'), dataDir: dir });
    assert.equal(k.source, 'env');
    assert.ok(k.key.equals(raw));
    assert.equal(k.keyId, idOf(raw));
    assert.match(k.keyId, /^[0-9a-f]{12}$/);
    assert.equal(existsSync(join(dir, 'secret.key')), false, 'no key file when the env gives one');
  });

  test('CC_SECRET_KEY as hex (64 characters), upper or lower case', () => {
    const raw = randomBytes(32);
    for (const text of [raw.toString('hex'), raw.toString('hex').toUpperCase()]) {
      const k = loadSecretKey({ secretKey: text, dataDir: tempDir() });
      assert.equal(k.source, 'env');
      assert.ok(k.key.equals(raw));
      assert.equal(k.keyId, idOf(raw));
    }
  });

  test('an invalid CC_SECRET_KEY is CC_E_CONFIG_INVALID that says how to make one', () => {
    const bad = [
      'short',
      randomBytes(16).toString('base64'), // 16 bytes
      randomBytes(31).toString('hex'), // 62 hex chars
      randomBytes(33).toString('base64'),
      'z'.repeat(64), // 64 chars, not hex
      randomBytes(32).toString('base64url'), // no padding, url alphabet
    ];
    for (const secretKey of bad) {
      assert.throws(
        () => loadSecretKey({ secretKey, dataDir: tempDir() }),
        (err: any) => {
          assert.equal(err.code, 'CC_E_CONFIG_INVALID');
          assert.match(err.message, /CC_SECRET_KEY/);
          assert.match(err.message, /openssl rand -base64 32/);
          assert.ok(!err.message.includes(secretKey), 'the bad value is not echoed');
          return true;
        },
      );
    }
  });

  test('without CC_SECRET_KEY: creates <dataDir>/secret.key with mode 0600, then reuses it', () => {
    const dir = join(tempDir(), 'nested', 'data'); // created on demand
    const first = loadSecretKey({ dataDir: dir });
    assert.equal(first.source, 'file');
    assert.equal(first.key.length, 32);
    assert.equal(first.keyId, idOf(first.key));
    const path = join(dir, 'secret.key');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.ok(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').equals(first.key));
    assert.deepEqual(readdirSync(dir), ['secret.key'], 'no temporary file is left behind');

    const second = loadSecretKey({ dataDir: dir });
    assert.equal(second.source, 'file');
    assert.ok(second.key.equals(first.key));
    assert.equal(second.keyId, first.keyId);
    // An empty CC_SECRET_KEY counts as unset.
    assert.ok(loadSecretKey({ secretKey: '', dataDir: dir }).key.equals(first.key));
  });

  test('refuses a key file that others can read (0644) and says to chmod 600', () => {
    const dir = tempDir();
    loadSecretKey({ dataDir: dir });
    const path = join(dir, 'secret.key');
    chmodSync(path, 0o644);
    assert.throws(
      () => loadSecretKey({ dataDir: dir }),
      (err: any) => {
        assert.equal(err.code, 'CC_E_CONFIG_INVALID');
        assert.match(err.message, /chmod 600/);
        assert.ok(err.message.includes(path));
        return true;
      },
    );
    chmodSync(path, 0o600);
    assert.equal(loadSecretKey({ dataDir: dir }).source, 'file');
  });

  test('refuses a key file that does not hold a 32-byte key', () => {
    const dir = tempDir();
    loadSecretKey({ dataDir: dir });
    const path = join(dir, 'secret.key');
    rmSync(path);
    // A hand-made file with the right mode but the wrong length.
    writeFileSync(path, randomBytes(16).toString('base64'), { mode: 0o600 });
    assert.throws(() => loadSecretKey({ dataDir: dir }), { code: 'CC_E_CONFIG_INVALID' });
  });
});
