import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CCEvent } from '@commandcenter/protocol';
import {
  completion,
  startChatServer,
  summarizerManifest,
  type ChatServer,
} from '../executors/llm-test-server.js';
import { V1, node, openApiHarness, type ApiHarness } from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';
import { parseExposition } from './metrics-test-support.js';

/**
 * Cost of a run with an LLM step and a builtin step, at a configured compute rate: in the run
 * and agent API (`cost`), in the attempt-ending events, and in the cost and token metrics.
 */

const RATE = 0.5;
const PRICES = { inputPerMillion: 2.5, outputPerMillion: 10 };
const TOKENS = { in: 1000, out: 200 };
const LLM_USD = (TOKENS.in * PRICES.inputPerMillion + TOKENS.out * PRICES.outputPerMillion) / 1e6;

const summarizer = summarizerManifest(PRICES);

const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

for (const kind of storeKinds()) {
  describe(`cost of runs and agents on ${kind}`, { timeout: 60_000 }, () => {
    let h: ApiHarness;
    let llm: ChatServer;
    let runId: string;

    before(async () => {
      llm = await startChatServer({
        answer: () =>
          completion(JSON.stringify({ title: 'short' }), {
            promptTokens: TOKENS.in,
            completionTokens: TOKENS.out,
          }),
      });
      h = await openApiHarness(kind, { env: { CC_COMPUTE_COST_PER_SECOND: String(RATE) } });
      const call = async (method: string, url: string, body: unknown, status: number) => {
        const r = await h.call(method, url, { body });
        assert.equal(r.status, status, r.text);
      };
      await call('PUT', `${V1}/secrets/LLM_BASE_URL`, { value: llm.baseUrl }, 201);
      await call('PUT', `${V1}/secrets/LLM_MODEL`, { value: 'gpt-4o-mini' }, 201);
      await call(
        'PATCH',
        `${V1}/projects/default/settings`,
        { egressAllowHosts: ['127.0.0.1'] },
        200,
      );
      await call('POST', `${V1}/agents`, summarizer, 201);
      await call(
        'POST',
        `${V1}/workflows`,
        {
          name: 'm-llm',
          nodes: [
            { id: 'sum', agent: 'summarizer', action: 'summarize', inputs: { text: 'hello' } },
            node('after', 'echo', {
              dependsOn: ['sum'],
              inputs: { t: '{{ nodes.sum.output.title }}' },
            }),
          ],
        },
        201,
      );
      const run = await h.call('POST', `${V1}/runs`, { body: { workflow: 'm-llm' } });
      assert.equal(run.status, 202, run.text);
      runId = run.json.id;
      assert.equal(await h.waitForRun(runId), 'succeeded');
    });
    after(async () => {
      await h?.close();
      await llm?.close();
    });

    test('GET /runs/{id}: compute from every attempt at the rate, LLM from the reported usage', async () => {
      const r = await h.call('GET', `${V1}/runs/${runId}`);
      assert.equal(r.status, 200, r.text);
      const attempts = (r.json.steps as { attempts: { durationMs: number }[] }[]).flatMap(
        (s) => s.attempts,
      );
      assert.equal(attempts.length, 2);
      const seconds = attempts.reduce((a, x) => a + x.durationMs, 0) / 1000;
      const cost = r.json.cost;
      assert.deepEqual(Object.keys(cost).sort(), [
        'computeSeconds',
        'computeUsd',
        'llmUsd',
        'tokensIn',
        'tokensOut',
        'totalUsd',
      ]);
      near(cost.computeSeconds, seconds, 'computeSeconds');
      near(cost.computeUsd, seconds * RATE, 'computeUsd');
      near(cost.llmUsd, LLM_USD, 'llmUsd');
      near(cost.totalUsd, seconds * RATE + LLM_USD, 'totalUsd');
      assert.equal(cost.tokensIn, TOKENS.in);
      assert.equal(cost.tokensOut, TOKENS.out);
      const sum = r.json.steps.find((s: { key: string }) => s.key === 'sum');
      near(sum.attempts[0].usage.costUsd, LLM_USD, 'the attempt row holds the usage');
    });

    test('the event that ends the LLM attempt carries its duration and usage', async () => {
      const e = (await h.waitForEvent(
        (ev) => ev.runId === runId && ev.type === 'workflow.step.succeeded',
      )) as Extract<CCEvent, { type: 'workflow.step.succeeded' }>;
      assert.equal(e.data.stepKey, 'sum');
      assert.ok(typeof e.data.durationMs === 'number' && e.data.durationMs >= 0);
      assert.equal(e.data.usage?.tokensIn, TOKENS.in);
      assert.equal(e.data.usage?.tokensOut, TOKENS.out);
      near(e.data.usage?.costUsd ?? 0, LLM_USD, 'event usage');
    });

    test('GET /agents/{name}: cost over the same attempts as its health', async () => {
      const r = await h.call('GET', `${V1}/agents/summarizer`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.health.attempts, 1);
      near(r.json.cost.llmUsd, LLM_USD, 'agent llmUsd');
      assert.equal(r.json.cost.tokensIn, TOKENS.in);
      assert.ok(r.json.cost.computeSeconds >= 0);
      near(r.json.cost.computeUsd, r.json.cost.computeSeconds * RATE, 'agent computeUsd');
      const test = await h.call('GET', `${V1}/agents/test`);
      assert.equal(test.json.cost.llmUsd, 0);
      assert.equal(test.json.cost.tokensIn, 0);
    });

    test('metrics: tokens by model and direction, LLM and compute cost by workflow and agent', async () => {
      const res = await h.call('GET', '/metrics', { token: null });
      const x = parseExposition(res.text);
      const event = h.events.find(
        (ev) => ev.runId === runId && ev.type === 'workflow.step.succeeded',
      ) as Extract<CCEvent, { type: 'workflow.step.succeeded' }>;
      const model = event.data.usage!.model!;
      const who = { project: 'default', agent: 'summarizer', model };
      assert.equal(x.value('cc_llm_tokens_total', { ...who, direction: 'in' }), TOKENS.in);
      assert.equal(x.value('cc_llm_tokens_total', { ...who, direction: 'out' }), TOKENS.out);
      near(x.value('cc_llm_cost_usd_total', who), LLM_USD, 'cc_llm_cost_usd_total');
      const wf = { project: 'default', workflow: 'm-llm', agent: 'summarizer' };
      near(x.value('cc_cost_usd_total', { ...wf, kind: 'llm' }), LLM_USD, 'llm cost');
      const seconds = x.value('cc_compute_seconds_total', wf);
      near(x.value('cc_cost_usd_total', { ...wf, kind: 'compute' }), seconds * RATE, 'compute');
      assert.ok(x.value('cc_compute_seconds_total', { ...wf, agent: 'test' }) > 0);
    });
  });
}
