import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openTestStore, storeKinds } from '../testing/stores.js';
import type { Store } from '../store/port.js';
import { keyIdOf } from './secret-key.js';
import { MAX_SECRET_BYTES, SecretStore } from './secret-store.js';

const newKey = () => {
  const key = randomBytes(32);
  return { key, keyId: keyIdOf(key) };
};

for (const kind of storeKinds()) {
  describe(`secret store on ${kind}`, () => {
    let store: Store & { drop(): Promise<void> };
    let secrets: SecretStore;
    before(async () => {
      store = await openTestStore(kind);
      await store.query(`INSERT INTO projects (id) VALUES ('other'), ('third')`);
      secrets = new SecretStore(store, newKey());
    });
    after(async () => store.drop());

    const row = async (project: string, name: string) =>
      (
        await store.query<{
          version: number;
          key_id: string;
          iv: Uint8Array;
          ciphertext: Uint8Array;
          tag: Uint8Array;
        }>(
          'SELECT version, key_id, iv, ciphertext, tag FROM secrets WHERE project = $1 AND name = $2',
          [project, name],
        )
      ).rows[0];

    test('set, rotate, list, resolve and delete', async () => {
      assert.deepEqual(await secrets.set('default', 'API_KEY', 'v1-value'), {
        name: 'API_KEY',
        version: 1,
        created: true,
      });
      assert.deepEqual(await secrets.set('default', 'API_KEY', 'v2-value'), {
        name: 'API_KEY',
        version: 2,
        created: false,
      });
      assert.deepEqual(await secrets.rotate('default', 'API_KEY', 'v3-value'), {
        name: 'API_KEY',
        version: 3,
      });
      await secrets.set('default', 'B_TOKEN', 'bee');
      await secrets.set('other', 'API_KEY', 'other-project-value');

      const list = await secrets.list('default');
      assert.deepEqual(
        list.map((s) => [s.name, s.version]),
        [
          ['API_KEY', 3],
          ['B_TOKEN', 1],
        ],
      );
      for (const s of list) {
        assert.deepEqual(Object.keys(s).sort(), ['createdAt', 'name', 'updatedAt', 'version']);
        assert.ok(!Number.isNaN(Date.parse(s.createdAt)) && s.createdAt.endsWith('Z'));
        assert.ok(Date.parse(s.updatedAt) >= Date.parse(s.createdAt));
      }
      assert.deepEqual(await secrets.list('third'), []);

      assert.deepEqual(await secrets.resolve('default', ['API_KEY', 'B_TOKEN', 'API_KEY']), {
        API_KEY: 'v3-value',
        B_TOKEN: 'bee',
      });
      assert.deepEqual(await secrets.resolve('other', ['API_KEY']), {
        API_KEY: 'other-project-value',
      });
      assert.deepEqual(await secrets.resolve('default', []), {});

      await secrets.delete('default', 'B_TOKEN');
      assert.deepEqual(
        (await secrets.list('default')).map((s) => s.name),
        ['API_KEY'],
      );
      await assert.rejects(secrets.delete('default', 'B_TOKEN'), {
        code: 'CC_E_NOT_FOUND',
        message: 'secret B_TOKEN not found',
      });
      await assert.rejects(secrets.rotate('default', 'B_TOKEN', 'x'), {
        code: 'CC_E_NOT_FOUND',
        message: 'secret B_TOKEN not found',
      });
      // After a delete, set starts over.
      assert.deepEqual(await secrets.set('default', 'B_TOKEN', 'again'), {
        name: 'B_TOKEN',
        version: 1,
        created: true,
      });
    });

    test('resolve names every missing secret with CC_E_SECRET_MISSING', async () => {
      await secrets.set('default', 'PRESENT', 'here');
      await assert.rejects(secrets.resolve('default', ['PRESENT', 'NOPE']), {
        code: 'CC_E_SECRET_MISSING',
        message: 'secret NOPE is not set in project default',
      });
      await assert.rejects(secrets.resolve('third', ['PRESENT', 'NOPE']), {
        code: 'CC_E_SECRET_MISSING',
        message: 'secrets NOPE, PRESENT are not set in project third',
      });
    });

    test('bad names and values are CC_E_BAD_REQUEST with a problem at the field', async () => {
      for (const name of ['', '1ABC', 'has-dash', 'a b', 'x'.repeat(129), 'é']) {
        await assert.rejects(secrets.set('default', name, 'v'), (err: any) => {
          assert.equal(err.code, 'CC_E_BAD_REQUEST');
          assert.equal(err.problems[0].path, 'name');
          assert.equal(err.problems[0].code, 'CC_E_BAD_REQUEST');
          return true;
        });
      }
      await secrets.set('default', 'x'.repeat(128), 'longest name is fine');
      await secrets.set('default', '_under_score9', 'ok');
      for (const value of [
        '',
        'x'.repeat(MAX_SECRET_BYTES + 1),
        'é'.repeat(MAX_SECRET_BYTES / 2 + 1),
      ]) {
        await assert.rejects(secrets.set('default', 'VALUE_CHECK', value), (err: any) => {
          assert.equal(err.code, 'CC_E_BAD_REQUEST');
          assert.equal(err.problems[0].path, 'value');
          return true;
        });
      }
      await assert.rejects(secrets.set('default', 'VALUE_CHECK', 42 as any), {
        code: 'CC_E_BAD_REQUEST',
      });
      const big = 'y'.repeat(MAX_SECRET_BYTES);
      await secrets.set('default', 'VALUE_CHECK', big);
      assert.equal((await secrets.resolve('default', ['VALUE_CHECK'])).VALUE_CHECK, big);
      await assert.rejects(secrets.set('no-such-project', 'A', 'v'), {
        code: 'CC_E_NOT_FOUND',
        message: 'project no-such-project not found',
      });
    });

    test('the table holds ciphertext, never the plaintext; every write uses a fresh IV', async () => {
      const plain = `plain-${randomBytes(8).toString('hex')}`;
      await secrets.set('default', 'AT_REST', plain);
      const first = (await row('default', 'AT_REST'))!;
      const dump = await store.query<{ t: string }>(
        `SELECT s::text AS t FROM secrets s WHERE project = 'default' AND name = 'AT_REST'`,
      );
      assert.ok(!dump.rows[0]!.t.includes(plain));
      assert.ok(!dump.rows[0]!.t.includes(Buffer.from(plain).toString('hex')));
      assert.equal(first.key_id, keyIdOf((secrets as any).key));
      assert.equal(Buffer.from(first.iv).length, 12);
      assert.equal(Buffer.from(first.tag).length, 16);
      assert.equal(Buffer.from(first.ciphertext).length, Buffer.byteLength(plain));
      assert.ok(!Buffer.from(first.ciphertext).includes(Buffer.from(plain)));

      await secrets.set('default', 'AT_REST', plain);
      const second = (await row('default', 'AT_REST'))!;
      assert.ok(!Buffer.from(second.iv).equals(Buffer.from(first.iv)), 'a new IV per write');
      assert.ok(!Buffer.from(second.ciphertext).equals(Buffer.from(first.ciphertext)));
    });

    test('a store with another key: CC_E_SECRET_KEY_MISMATCH naming both key ids', async () => {
      await secrets.set('default', 'KEYED', 'value');
      const otherKey = newKey();
      const other = new SecretStore(store, otherKey);
      const mine = (await row('default', 'KEYED'))!.key_id;
      await assert.rejects(other.resolve('default', ['KEYED']), (err: any) => {
        assert.equal(err.code, 'CC_E_SECRET_KEY_MISMATCH');
        assert.ok(err.message.includes(mine), err.message);
        assert.ok(err.message.includes(otherKey.keyId), err.message);
        return true;
      });
      // Setting it again with the new key makes it readable with that key (and not the old).
      await other.set('default', 'KEYED', 'value2');
      assert.deepEqual(await other.resolve('default', ['KEYED']), { KEYED: 'value2' });
      await assert.rejects(secrets.resolve('default', ['KEYED']), {
        code: 'CC_E_SECRET_KEY_MISMATCH',
      });
    });

    test('a key with the same id but other bytes fails authentication', async () => {
      await secrets.set('default', 'FORGED_ID', 'value');
      const liar = new SecretStore(store, { key: randomBytes(32), keyId: (secrets as any).keyId });
      await assert.rejects(liar.resolve('default', ['FORGED_ID']), {
        code: 'CC_E_SECRET_KEY_MISMATCH',
      });
    });

    test('tampered ciphertext, tag or IV fails authentication', async () => {
      for (const column of ['ciphertext', 'tag', 'iv'] as const) {
        const name = `TAMPER_${column.toUpperCase()}`;
        await secrets.set('default', name, 'do not change me');
        const r = (await row('default', name))!;
        const bytes = Buffer.from(r[column]);
        bytes[0] = bytes[0]! ^ 0x01;
        await store.query(
          `UPDATE secrets SET ${column} = $1 WHERE project = 'default' AND name = $2`,
          [bytes, name],
        );
        await assert.rejects(secrets.resolve('default', [name]), (err: any) => {
          assert.equal(err.code, 'CC_E_SECRET_KEY_MISMATCH');
          assert.match(err.message, /fails authentication/);
          assert.ok(!err.message.includes('do not change me'));
          return true;
        });
      }
    });

    test('a row moved to another project or name fails authentication', async () => {
      await secrets.set('default', 'MOVABLE', 'belongs to default');
      await store.query(
        `INSERT INTO secrets (project, name, version, key_id, iv, ciphertext, tag)
         SELECT 'third', name, version, key_id, iv, ciphertext, tag FROM secrets
          WHERE project = 'default' AND name = 'MOVABLE'`,
      );
      await assert.rejects(secrets.resolve('third', ['MOVABLE']), {
        code: 'CC_E_SECRET_KEY_MISMATCH',
      });
      await store.query(
        `INSERT INTO secrets (project, name, version, key_id, iv, ciphertext, tag)
         SELECT project, 'RENAMED', version, key_id, iv, ciphertext, tag FROM secrets
          WHERE project = 'default' AND name = 'MOVABLE'`,
      );
      await assert.rejects(secrets.resolve('default', ['RENAMED']), {
        code: 'CC_E_SECRET_KEY_MISMATCH',
      });
      assert.deepEqual(await secrets.resolve('default', ['MOVABLE']), {
        MOVABLE: 'belongs to default',
      });
    });

    test('unicode values round-trip', async () => {
      const v = 'ключ 🔑 "quoted" \\ back\nline';
      await secrets.set('default', 'UNICODE', v);
      assert.deepEqual(await secrets.resolve('default', ['UNICODE']), { UNICODE: v });
    });
  });
}
