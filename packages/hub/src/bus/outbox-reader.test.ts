import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../store/port.js';
import { openTestStore, storeKinds } from '../testing/stores.js';
import type { OutboxEvent } from './event-bus.js';
import { OutboxReader } from './outbox-reader.js';

const emit = (store: Store, n: number, tag: string) =>
  store.query(
    `INSERT INTO events (project, type, data)
     SELECT 'p', 'agent.registered', jsonb_build_object('tag', $1::text, 'i', i) FROM generate_series(1, $2) i`,
    [tag, n],
  );

/** A reader that records what it was handed; `until(n)` resolves once `n` events arrived. */
function recorder(store: Store, name: string, failFirst = 0) {
  const got: OutboxEvent[] = [];
  const errors: unknown[] = [];
  let failures = failFirst;
  let waiter: { n: number; resolve: () => void } | undefined;
  const reader = new OutboxReader({
    store,
    name,
    pollMs: 20,
    retryMs: 5,
    batch: 2,
    active: () => true,
    onError: (err) => errors.push(err),
    handle: async (events) => {
      if (failures-- > 0) throw new Error('the bus is down');
      got.push(...events);
      if (waiter && got.length >= waiter.n) waiter.resolve();
    },
  });
  const until = (n: number) =>
    got.length >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve }));
  return { reader, got, errors, until };
}

for (const kind of storeKinds()) {
  describe(`outbox reader (${kind})`, () => {
    let store: Store & { drop(): Promise<void> };
    before(async () => {
      store = await openTestStore(kind);
    });
    after(() => store.drop());

    test('starts at the head, hands pages on in order, retries a failed page, resumes after a restart', async () => {
      await emit(store, 3, 'history'); // before the first start: not replayed
      const first = recorder(store, 'bus', 2);
      await first.reader.start();
      await emit(store, 5, 'live');
      await first.until(5);
      await first.reader.stop();
      assert.deepEqual(
        first.got.map((e) => (e.data as { i: number }).i),
        [1, 2, 3, 4, 5],
        'in order, each once after the failures',
      );
      assert.ok(first.got.every((e) => (e.data as { tag: string }).tag === 'live'));
      assert.equal(first.errors.length, 2, 'the failed page was handed again');
      assert.equal(first.got[0]!.type, 'agent.registered');
      assert.equal(first.got[0]!.project, 'p');

      await emit(store, 3, 'while stopped');
      const second = recorder(store, 'bus');
      await second.reader.start();
      await second.until(3);
      await second.reader.stop();
      assert.deepEqual(
        second.got.map((e) => (e.data as { tag: string }).tag),
        ['while stopped', 'while stopped', 'while stopped'],
        'resumed after the saved cursor: nothing handed twice, nothing missed',
      );
      const ids = [...first.got, ...second.got].map((e) => BigInt(e.id));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => (a < b ? -1 : 1)),
      );
    });
  });
}
