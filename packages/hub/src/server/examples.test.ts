/**
 * The examples a newcomer meets on `npm start` apply cleanly and run: the text-tools agent, the
 * word-stats SDK agent (persistent), and the shipped agents in `scan-snippet`.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openApiHarness, V1, type ApiHarness } from '../testing/api-harness.js';
import { applyExamples } from './examples.js';

const examples = fileURLToPath(new URL('../../../../examples', import.meta.url));

describe('examples', { timeout: 120_000 }, () => {
  let h: ApiHarness;
  before(async () => {
    h = await openApiHarness('pglite');
    const lines: string[] = [];
    await applyExamples(h.services.engine, examples, (l) => lines.push(l));
    assert.ok(
      lines.some((l) => /^agent word-stats@/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^workflow scan-snippet v1 applied/.test(l)),
      lines.join('\n'),
    );
  });
  after(() => h?.close());

  const run = async (workflow: string, input: unknown = {}) => {
    const r = await h.call('POST', `${V1}/runs`, { body: { workflow, input } });
    assert.equal(r.status, 202, r.text);
    const status = await h.waitForRun(r.json.id, 60_000);
    const shown = (await h.call('GET', `${V1}/runs/${r.json.id}`)).json;
    assert.equal(
      status,
      'succeeded',
      JSON.stringify(shown.steps.map((s: { error: unknown }) => s.error)),
    );
    return shown;
  };

  test('hello runs through the text-tools process agent', async () => {
    const shown = await run('hello', { name: 'ada' });
    assert.deepEqual(shown.steps.find((s: { key: string }) => s.key === 'greet').output, {
      text: 'HELLO ADA',
    });
  });

  test('scan-snippet runs the shipped scanner, the SDK agent and notifier', async () => {
    const shown = await run('scan-snippet', { code: 'document.write(x); eval(y)' });
    const step = (key: string) => shown.steps.find((s: { key: string }) => s.key === key);
    assert.equal(step('scan').output.summary.total, 2, JSON.stringify(step('scan').output));
    assert.deepEqual(step('stats').output, { characters: 26, words: 5, lines: 1 });
    assert.equal(step('report').output.channel, 'log');
    const logs = (await h.call('GET', `${V1}/runs/${shown.id}/logs?step=report`)).json.items;
    assert.ok(
      logs.some((l: { line: string }) => /2 findings in 5 words/.test(l.line)),
      JSON.stringify(logs),
    );
  });
});
