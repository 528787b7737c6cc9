/**
 * The shipped example `examples/workflows/alert-notification.yaml` end to end: Alertmanager's
 * real notifications (a firing group of two, its repeat, then resolved) reach a local
 * Slack-format receiver through the alert route, the `alert:` trigger and notifier's `send`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { V1, openApiHarness, type ApiHarness } from '../testing/api-harness.js';
import type { AlertmanagerNotification } from './alert-payload.js';
import { firingGroup, resolvedGroup } from './alert-test-payloads.js';

const example = readFileSync(
  new URL('../../../../examples/workflows/alert-notification.yaml', import.meta.url),
  'utf8',
);

interface SlackMessage {
  text: string;
  blocks: { type: string; text?: { text: string } }[];
  attachments: { color: string; blocks: unknown[] }[];
}

// The flow is the same on both stores (the alert route's store behaviour is tested in
// alert-receiver.test.ts); PGlite keeps this lean.
describe('example alert-notification: Alertmanager → Slack', () => {
  let h: ApiHarness;
  let slack: Server;
  let hookUrl: string;
  const received: SlackMessage[] = [];

  before(async () => {
    slack = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body) as SlackMessage);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((res) => slack.listen(0, '127.0.0.1', res));
    hookUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T000/B000/XXXX`;
    h = await openApiHarness('pglite');
    // Applied before any secret exists, as at `npm start`.
    const applied = await h.call('POST', `${V1}/workflows`, {
      body: example,
      headers: { 'content-type': 'application/yaml' },
    });
    assert.equal(applied.status, 201, applied.text);
  });
  after(async () => {
    await h?.close();
    await new Promise((res) => slack.close(res));
  });

  const notify = async (n: AlertmanagerNotification) => {
    const r = await h.call('POST', `${V1}/alerts/alertmanager?project=default`, { body: n });
    assert.equal(r.status, 200, r.text);
    return r.json as { matched: boolean; runs: { outcome: string; runId: string }[] };
  };

  test('without SLACK_WEBHOOK_URL the run fails and names the secret', async () => {
    const r = await notify(firingGroup({}, 'NoSecretYet'));
    assert.equal(r.runs[0]!.outcome, 'fired');
    assert.equal(await h.waitForRun(r.runs[0]!.runId), 'failed');
    const run = (await h.call('GET', `${V1}/runs/${r.runs[0]!.runId}`)).json;
    assert.equal(run.steps[0].error.code, 'CC_E_SECRET_MISSING');
    assert.equal(run.steps[0].error.retryable, false);
    assert.match(run.steps[0].error.message, /SLACK_WEBHOOK_URL/);
    assert.match(run.steps[0].error.message, /commandcenter secrets set SLACK_WEBHOOK_URL/);
    assert.equal(received.length, 0);
  });

  test('firing, repeated, then resolved: two Slack messages', async () => {
    const secret = await h.call('PUT', `${V1}/secrets/SLACK_WEBHOOK_URL`, {
      body: { value: hookUrl },
    });
    assert.equal(secret.status, 201, secret.text);
    const allow = await h.call('PATCH', `${V1}/projects/default/settings`, {
      body: { egressAllowHosts: ['127.0.0.1'] },
    });
    assert.equal(allow.status, 200, allow.text);

    const firing = await notify(firingGroup());
    assert.equal(firing.runs[0]!.outcome, 'fired');
    assert.equal(await h.waitForRun(firing.runs[0]!.runId), 'succeeded');
    assert.equal(received.length, 1);
    const [fire] = received;
    assert.equal(fire!.blocks[0]!.text!.text, '[FIRING:2] HighRequestLatency');
    assert.equal(fire!.attachments[0]!.color, '#8B0000', 'severity critical');
    const shown = JSON.stringify(fire);
    for (const part of [
      'p99 latency is 730ms on checkout-1:8080 (checkout-1:8080)',
      'p99 latency is 612ms on checkout-2:8080 (checkout-2:8080)',
      'checkout-api',
      'http://alertmanager.example.com:9093',
      'http://prometheus.example.com:9090/graph',
    ]) {
      assert.ok(shown.includes(part), `${part} in ${shown}`);
    }

    const repeat = await notify(firingGroup());
    assert.deepEqual(
      repeat.runs.map((r) => [r.outcome, r.runId]),
      [['duplicate', firing.runs[0]!.runId]],
    );

    const resolved = await notify(resolvedGroup());
    assert.equal(resolved.runs[0]!.outcome, 'fired');
    assert.equal(await h.waitForRun(resolved.runs[0]!.runId), 'succeeded');
    assert.equal(received.length, 2, 'the repeat sent nothing');
    assert.equal(received[1]!.blocks[0]!.text!.text, '[RESOLVED] HighRequestLatency');
    assert.equal(received[1]!.attachments[0]!.color, '#2EB886', 'resolved is green');
    const runs = await h.call('GET', `${V1}/runs?workflow=alert-notification`);
    assert.equal(runs.json.items.length, 3);
  });
});
