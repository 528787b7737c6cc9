/**
 * A workload that makes a real hub export every metric of the catalogue with samples: runs that
 * succeed, fail, retry, fan out, wait for approvals (approved, rejected, cancelled with their
 * run), an LLM step priced per token (local OpenAI-compatible server), compute priced per second,
 * an SSE stream, an unmatched URL and one failing store query.
 */
import assert from 'node:assert/strict';
import {
  completion,
  startChatServer,
  summarizerManifest,
  type ChatServer,
} from '../../../packages/hub/src/executors/llm-test-server.js';
import {
  V1,
  node,
  readSse,
  type ApiHarness,
} from '../../../packages/hub/src/testing/api-harness.js';

const workflows = [
  { name: 'ops-ok', nodes: [node('a', 'echo', { inputs: { n: 1 } })] },
  { name: 'ops-fail', nodes: [node('a', 'fail', { inputs: { message: 'boom' } })] },
  {
    name: 'ops-retry',
    nodes: [
      node('a', 'flaky', {
        inputs: { succeedOn: 2 },
        retry: { attempts: 3, backoff: 'fixed', delay: '10ms' },
      }),
    ],
  },
  {
    name: 'ops-skip',
    nodes: [node('a', 'noop'), node('b', 'noop', { dependsOn: ['a'], when: '{{ false }}' })],
  },
  // `deploy` is a high-risk action: its step waits for an approval.
  { name: 'ops-gate', nodes: [node('ship', 'deploy', { inputs: { where: 'prod' } })] },
  {
    name: 'ops-llm',
    nodes: [{ id: 'sum', agent: 'summarizer', action: 'summarize', inputs: { text: 'hello' } }],
  },
];

const summarizer = summarizerManifest();

/** Environment of the harness: compute has a price, so `kind="compute"` costs are non-zero. */
export const WORKLOAD_ENV = { CC_COMPUTE_COST_PER_SECOND: '0.5' };

export async function startLlm(): Promise<ChatServer> {
  return startChatServer({
    answer: () =>
      completion(JSON.stringify({ title: 'short' }), { promptTokens: 1000, completionTokens: 200 }),
  });
}

export async function runWorkload(h: ApiHarness, llm: ChatServer): Promise<void> {
  const ok = async (method: string, url: string, body: unknown, status: number) => {
    const r = await h.call(method, url, { body });
    assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
    return r.json;
  };
  await ok('PUT', `${V1}/secrets/LLM_BASE_URL`, { value: llm.baseUrl }, 201);
  await ok('PUT', `${V1}/secrets/LLM_MODEL`, { value: 'gpt-4o-mini' }, 201);
  await ok('PATCH', `${V1}/projects/default/settings`, { egressAllowHosts: ['127.0.0.1'] }, 200);
  await ok('POST', `${V1}/agents`, summarizer, 201);
  for (const wf of workflows) await ok('POST', `${V1}/workflows`, wf, 201);

  const start = async (workflow: string) =>
    (await ok('POST', `${V1}/runs`, { workflow }, 202)).id as string;
  const expect = async (runId: string, status: string) =>
    assert.equal(await h.waitForRun(runId), status, runId);
  const approvalOf = async (runId: string) =>
    (
      (await h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === runId)).data as {
        approvalId: string;
      }
    ).approvalId;

  await expect(await start('ops-ok'), 'succeeded');
  await expect(await start('ops-fail'), 'failed');
  await expect(await start('ops-retry'), 'succeeded');
  await expect(await start('ops-skip'), 'succeeded');
  await expect(await start('ops-llm'), 'succeeded');
  const approved = await start('ops-gate');
  const rejected = await start('ops-gate');
  const cancelled = await start('ops-gate');
  await ok('POST', `${V1}/approvals/${await approvalOf(approved)}/approve`, {}, 200);
  await ok('POST', `${V1}/approvals/${await approvalOf(rejected)}/reject`, {}, 200);
  await approvalOf(cancelled);
  await ok('POST', `${V1}/runs/${cancelled}/cancel`, {}, 200);
  await expect(approved, 'succeeded');
  await expect(rejected, 'failed');
  await expect(cancelled, 'cancelled');

  // A route with a parameter, a URL no route matches, and a short live event stream.
  assert.equal((await h.call('GET', `${V1}/runs/${approved}`)).status, 200);
  assert.equal((await h.call('GET', '/no/such/page')).status, 404);
  const base = await h.listen();
  const sse = await readSse(
    `${base}${V1}/events?workflow=ops-ok`,
    { authorization: `Bearer ${h.admin}` },
    () => true,
  );
  assert.equal(sse.status, 200);
  // A query that fails, through the hub's own (instrumented) store.
  await assert.rejects(h.services.store.query('SELECT * FROM ops_no_such_table'));
}
