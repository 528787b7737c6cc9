import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openApiHarness, V1, node, type ApiHarness } from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';

/** Keep-alives of a quiet stream carry its position, so a reconnect does not re-scan. */
for (const kind of storeKinds()) {
  describe(`REST API event positions on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind, { sseKeepaliveMs: 50 });
    });
    after(() => h.close());

    test('a stream whose filter matches nothing still advances Last-Event-ID', async () => {
      const base = await h.listen();
      const ac = new AbortController();
      const res = await fetch(`${base}${V1}/events?types=agent.registered`, {
        headers: { authorization: `Bearer ${h.admin}` },
        signal: ac.signal,
      });
      assert.equal(res.status, 200);
      const wf = await h.call('POST', `${V1}/workflows`, {
        body: { name: 'wf-quiet', nodes: [node('a', 'echo', { inputs: { n: 1 } })] },
      });
      assert.equal(wf.status, 201);
      const run = await h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-quiet' } });
      await h.waitForRun(run.json.id);
      const last = await h.store.query<{ cursor: string }>(
        `SELECT tx::text || '-' || id AS cursor FROM events ORDER BY tx DESC, id DESC LIMIT 1`,
      );
      const target = last.rows[0]!.cursor;
      // Read until a bare `id:` reaches the last event written; no event of the run is sent.
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let raw = '';
      const timer = setTimeout(() => ac.abort(), 20_000);
      try {
        while (!raw.includes(`id: ${target}\n\n`)) {
          const chunk = await reader.read();
          if (chunk.done) break;
          raw += chunk.value;
        }
      } finally {
        clearTimeout(timer);
        ac.abort();
      }
      assert.ok(raw.includes(`id: ${target}\n\n`), `no position line for ${target} in:\n${raw}`);
      // (Starting "now" may replay the harness's own agent registration: on PostgreSQL, "now" is
      // the server-wide watermark, which other transactions can hold back.)
      for (const m of raw.matchAll(/^event: (.*)$/gm)) {
        assert.equal(m[1], 'agent.registered', 'an event that does not match the filter was sent');
      }
    });
  });
}
