/**
 * The alerting path end to end with Debian's real binaries on loopback: Prometheus scrapes a real
 * hub, a workflow that keeps failing makes the shipped CCRunFailureRateHigh alert fire (its
 * windows shortened to seconds), Alertmanager (the shipped route, the hub's webhook, an operator
 * token from a file) posts the notification to the hub, the shipped alert-notification workflow
 * sends it to a local Slack-format receiver — and when the failures stop, the resolved
 * notification follows the same way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  V1,
  node,
  openApiHarness,
  type ApiHarness,
} from '../../packages/hub/src/testing/api-harness.js';
import { requireTools } from './support/binaries.js';
import {
  fastAlert,
  writeAlertmanagerConfig,
  writePrometheusConfig,
} from './support/e2e-configs.js';
import { freePort, startDaemon, until, type Daemon } from './support/processes.js';

const tools = requireTools('prometheus', 'alertmanager');
const ALERT = 'CCRunFailureRateHigh';
const WORKFLOW = 'e2e-broken';
/** The alert's windows, shortened from 10 minutes: the alert resolves this long after the burst. */
const WINDOW = '20s';

interface SlackMessage {
  blocks: { type: string; text?: { text: string } }[];
  attachments: { color: string }[];
}

/** A Slack-format incoming webhook on 127.0.0.1 whose messages can be awaited. */
function slackReceiver() {
  const messages: SlackMessage[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      messages.push(JSON.parse(body) as SlackMessage);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      for (const w of [...waiters]) w();
    });
  });
  const titleOf = (m: SlackMessage) => m.blocks[0]?.text?.text ?? '';
  return {
    server,
    messages,
    titles: () => messages.map(titleOf),
    /** Resolves with the first message whose title starts with `prefix`. */
    waitFor(prefix: string, timeoutMs: number, explain: () => string): Promise<SlackMessage> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = messages.find((x) => titleOf(x).startsWith(prefix));
          if (!m) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no Slack message "${prefix}…" within ${timeoutMs} ms\n${explain()}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

describe(
  'alerting end to end: hub → Prometheus → Alertmanager → hub → Slack',
  {
    skip: tools.skip,
    timeout: 240_000,
  },
  () => {
    tools.failIfRequired();
    let h: ApiHarness;
    let dir: string;
    const daemons: Daemon[] = [];
    const slack = slackReceiver();
    let prometheusUrl = '';

    /** What the processes said, for failure messages. */
    const explain = () =>
      daemons.map((d) => `--- ${d.name}:\n${d.output().slice(-4000)}`).join('\n') +
      `\n--- Slack messages: ${JSON.stringify(slack.titles())}`;

    /** The value of an instant query's single series, or undefined. */
    const query = async (promql: string): Promise<number | undefined> => {
      const r = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
      const first = body.data.result[0];
      return first ? Number(first.value[1]) : undefined;
    };

    const failOnce = async () => {
      const r = await h.call('POST', `${V1}/runs`, { body: { workflow: WORKFLOW } });
      assert.equal(r.status, 202, r.text);
      assert.equal(await h.waitForRun(r.json.id), 'failed');
    };

    before(async () => {
      await new Promise<void>((res) => slack.server.listen(0, '127.0.0.1', res));
      const hookUrl = `http://127.0.0.1:${(slack.server.address() as AddressInfo).port}/services/T0/B0/X`;
      h = await openApiHarness('pglite');
      const hub = await h.listen();
      const call = async (
        method: string,
        url: string,
        body: unknown,
        status: number,
        type?: string,
      ) => {
        const r = await h.call(method, url, {
          body,
          ...(type ? { headers: { 'content-type': type } } : {}),
        });
        assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
      };
      const example = readFileSync(
        new URL('../../examples/workflows/alert-notification.yaml', import.meta.url),
        'utf8',
      );
      await call('POST', `${V1}/workflows`, example, 201, 'application/yaml');
      await call('PUT', `${V1}/secrets/SLACK_WEBHOOK_URL`, { value: hookUrl }, 201);
      await call(
        'PATCH',
        `${V1}/projects/default/settings`,
        { egressAllowHosts: ['127.0.0.1'] },
        200,
      );
      const broken = {
        name: WORKFLOW,
        nodes: [node('a', 'fail', { inputs: { message: 'down' } })],
      };
      await call('POST', `${V1}/workflows`, broken, 201);

      dir = mkdtempSync(join(tmpdir(), 'cc-ops-e2e-'));
      const [amPort, promPort] = [await freePort(), await freePort()];
      const amConfig = writeAlertmanagerConfig(dir, { hub, token: await h.token('operator') });
      daemons.push(
        await startDaemon(
          'alertmanager',
          tools.paths.alertmanager!,
          [
            `--config.file=${amConfig}`,
            `--storage.path=${join(dir, 'alertmanager')}`,
            `--web.listen-address=127.0.0.1:${amPort}`,
            '--cluster.listen-address=',
          ],
          `http://127.0.0.1:${amPort}`,
        ),
      );
      const promConfig = writePrometheusConfig(dir, {
        hub: new URL(hub).host,
        alertmanager: `127.0.0.1:${amPort}`,
        rules: [fastAlert(ALERT, WINDOW)],
      });
      prometheusUrl = `http://127.0.0.1:${promPort}`;
      daemons.push(
        await startDaemon(
          'prometheus',
          tools.paths.prometheus!,
          [
            `--config.file=${promConfig}`,
            `--storage.tsdb.path=${join(dir, 'prometheus')}`,
            `--web.listen-address=127.0.0.1:${promPort}`,
          ],
          prometheusUrl,
        ),
      );
    });

    after(async () => {
      for (const d of daemons.reverse()) await d.stop();
      await h?.close();
      await new Promise((res) => slack.server.close(res));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('a failing workflow fires the alert and Slack hears it firing, then resolved', async () => {
      await until(async () => ((await query('up{job="commandcenter"}')) === 1 ? true : undefined), {
        timeoutMs: 30_000,
        describe: () => `Prometheus scrapes the hub\n${explain()}`,
      });
      // The first failure creates the series; rate() sees the failures that follow it.
      await failOnce();
      const failed = `cc_runs_finished_total{job="commandcenter", workflow="${WORKFLOW}", status="failed"}`;
      await until(async () => ((await query(failed)) === 1 ? true : undefined), {
        timeoutMs: 30_000,
        describe: () => `Prometheus has the first failure\n${explain()}`,
      });
      for (let i = 0; i < 6; i++) await failOnce();

      const firing = await slack.waitFor(`[FIRING:1] ${ALERT}`, 60_000, explain);
      const shown = JSON.stringify(firing);
      assert.ok(shown.includes(`Workflow ${WORKFLOW} (default): 100% of its runs fail`), shown);
      assert.ok(shown.includes('severity'), shown);
      assert.notEqual(firing.attachments[0]!.color, '#2EB886', 'not green while firing');

      // No more failures: once the window has passed, the alert resolves.
      const resolved = await slack.waitFor(`[RESOLVED] ${ALERT}`, 90_000, explain);
      assert.equal(resolved.attachments[0]!.color, '#2EB886', 'resolved is green');
      assert.deepEqual(slack.titles(), [`[FIRING:1] ${ALERT}`, `[RESOLVED] ${ALERT}`]);

      // Both notifications reached the hub as alert-triggered runs of the shipped workflow (the
      // resolved one may still be recording its end).
      const runs = await h.call('GET', `${V1}/runs?workflow=alert-notification`);
      assert.equal(runs.status, 200, runs.text);
      const items = runs.json.items as { id: string; trigger: { type: string } }[];
      assert.deepEqual(
        items.map((r) => r.trigger.type),
        ['alert', 'alert'],
      );
      for (const r of items) assert.equal(await h.waitForRun(r.id), 'succeeded');
    });
  },
);
