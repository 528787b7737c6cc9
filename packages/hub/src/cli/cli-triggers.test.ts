/**
 * `commandcenter triggers|actions|alerts` as a user runs them: subprocesses against a real hub
 * subprocess (`commandcenter up`), on PGlite and, when the test runner found one, PostgreSQL.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { firingGroup } from '../triggers/alert-test-payloads.js';
import { storeKinds } from '../testing/stores.js';
import { start, startHub, type Hub } from './cli-test-harness.js';

const json = (text: string): any => JSON.parse(text);

const triggered = `name: cli-triggered
inputs: { type: object, properties: { text: { type: string } } }
triggers:
  - action: run-check
  - alert: { severity: critical }
  - webhook: deploy
  - cron: "0 3 * * *"
  - manual: {}
nodes:
  - id: first
    agent: cli-agent
    action: echo
    inputs: { text: "{{ $exists(input.text) ? input.text : 'from an alert' }}" }
`;

for (const kind of storeKinds()) {
  // One test at a time: they build on each other, and the hub is shared.
  describe(
    `commandcenter triggers, actions and alerts against a hub on ${kind}`,
    {
      concurrency: 1,
    },
    () => {
      let hub: Hub;
      let actionTrigger: string;
      const cli = (args: string[]) => start(args, { CC_URL: hub.url, CC_TOKEN: hub.token }).done;
      const postAlert = async (body: unknown) => {
        const res = await fetch(`${hub.url}/api/v1/alerts/alertmanager`, {
          method: 'POST',
          headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.equal(res.status, 200, await res.clone().text());
        return (await res.json()) as { matched: boolean; runs: { runId: string | null }[] };
      };

      before(async () => {
        hub = await startHub(kind);
        const files = join(hub.dir, 'files');
        await writeFile(join(files, 'triggered.yaml'), triggered);
        const applied = await cli([
          'apply',
          '-f',
          join(files, 'agent.yaml'),
          join(files, 'triggered.yaml'),
        ]);
        assert.equal(applied.code, 0, applied.stderr);
      });
      after(() => hub?.stop());

      test('triggers list and show: kinds, what they listen to, state; --json', async () => {
        const [list, listJson, crons] = await Promise.all([
          cli(['triggers', 'list']),
          cli(['triggers', 'list', '--workflow', 'cli-triggered', '--json']),
          cli(['triggers', 'list', '--kind', 'cron', '--json']),
        ]);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /^ID +WORKFLOW +KIND +ON +STATE +NEXT +LAST FIRE +LAST ERROR$/m);
        assert.match(list.stdout, /^\S+ +cli-triggered +action +run-check +active /m);
        assert.match(list.stdout, /^\S+ +cli-triggered +alert +severity=critical +active /m);
        assert.match(list.stdout, /^\S+ +cli-triggered +cron +0 3 \* \* \* +active /m);
        assert.ok(list.stdout.includes(`${hub.url}/hooks/default/deploy`), list.stdout);
        const items = json(listJson.stdout).items as { id: string; kind: string }[];
        assert.deepEqual(items.map((t) => t.kind).sort(), ['action', 'alert', 'cron', 'webhook']);
        assert.deepEqual(
          json(crons.stdout).items.map((t: { kind: string }) => t.kind),
          ['cron'],
        );
        actionTrigger = items.find((t) => t.kind === 'action')!.id;

        const [show, bad] = await Promise.all([
          cli(['triggers', 'show', actionTrigger]),
          cli(['triggers', 'show', 'not-a-uuid']),
        ]);
        assert.equal(show.code, 0, show.stderr);
        assert.match(show.stdout, /^workflow: +cli-triggered \(v1\)$/m);
        assert.match(show.stdout, /^on: +run-check$/m);
        assert.match(show.stdout, /^state: +active$/m);
        assert.match(
          show.stdout,
          new RegExp(`^history: commandcenter triggers history ${actionTrigger}$`, 'm'),
        );
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /^error CC_E_BAD_REQUEST: /);
        assert.match(bad.stderr, /^ {2}params\.id: /m);
      });

      test('triggers rotate-secret shows the new secret once and how long the old one lasts', async () => {
        const list = await cli(['triggers', 'list', '--kind', 'webhook', '--json']);
        const [hook] = json(list.stdout).items as { id: string }[];
        const first = await cli(['triggers', 'rotate-secret', hook!.id]);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stdout, /^new secret \(shown once\): \S{16,}$/m);
        assert.match(first.stdout, /^there was no previous secret$/m);
        const second = await cli([
          '--json',
          'triggers',
          'rotate-secret',
          hook!.id,
          '--previous-valid-for',
          '1h',
        ]);
        assert.equal(second.code, 0, second.stderr);
        const r = json(second.stdout);
        assert.notEqual(r.secret, first.stdout.match(/: (\S+)$/m)![1]);
        const left = Date.parse(r.previousExpiresAt) - Date.parse(r.createdAt);
        assert.ok(Math.abs(left - 3_600_000) < 60_000, `previous secret valid for ${left} ms`);
        const tooLong = await cli([
          'triggers',
          'rotate-secret',
          hook!.id,
          '--previous-valid-for',
          '90d',
        ]);
        assert.equal(tooLong.code, 1);
        assert.match(tooLong.stderr, /^error CC_E_SCHEMA_INVALID_VALUE: /);
      });

      test('actions list and run; pause skips, resume runs again; history shows both', async () => {
        const list = await cli(['actions', 'list']);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /^ACTION +WORKFLOWS$/m);
        assert.match(list.stdout, /^run-check +cli-triggered$/m);

        const ran = await cli(['actions', 'run', 'run-check', '--input', '{"text":"hi"}']);
        assert.equal(ran.code, 0, ran.stderr);
        assert.match(ran.stdout, /^cli-triggered: run \S+ started$/m);
        const [once, twice] = [
          await cli(['--json', 'actions', 'run', 'run-check', '--idempotency-key', 'k-1']),
          await cli(['--json', 'actions', 'run', 'run-check', '--idempotency-key', 'k-1']),
        ];
        assert.equal(json(once.stdout).runs[0].outcome, 'fired');
        assert.deepEqual(
          [json(twice.stdout).runs[0].outcome, json(twice.stdout).runs[0].runId],
          ['duplicate', json(once.stdout).runs[0].runId],
        );

        const paused = await cli(['triggers', 'pause', actionTrigger]);
        assert.equal(paused.stdout, `trigger ${actionTrigger} (action of cli-triggered) paused\n`);
        const skipped = await cli(['actions', 'run', 'run-check']);
        assert.equal(skipped.stdout, 'cli-triggered: skipped: the trigger is paused\n');
        const [pausedList, resumed] = [
          await cli(['actions', 'list']),
          await cli(['triggers', 'resume', actionTrigger]),
        ];
        assert.match(pausedList.stdout, /^run-check +cli-triggered \(paused\)$/m);
        assert.equal(
          resumed.stdout,
          `trigger ${actionTrigger} (action of cli-triggered) resumed\n`,
        );

        const [history, historyJson, missing] = await Promise.all([
          cli(['triggers', 'history', actionTrigger]),
          cli(['triggers', 'history', actionTrigger, '--limit', '2', '--json']),
          cli(['actions', 'run', 'no-such-action']),
        ]);
        assert.equal(history.code, 0, history.stderr);
        assert.match(history.stdout, /^AT +OUTCOME +RUN +REASON +SOURCE$/m);
        assert.match(history.stdout, /^\S+ \S+ +skipped +- +the trigger is paused +/m);
        assert.equal(history.stdout.match(/ fired /g)?.length, 2, history.stdout);
        assert.equal(history.stdout.match(/ duplicate /g)?.length, 1, history.stdout);
        const page = json(historyJson.stdout);
        assert.deepEqual(
          page.items.map((e: { outcome: string }) => e.outcome),
          ['skipped', 'duplicate'],
        );
        assert.ok(page.nextCursor);
        assert.equal(missing.code, 1);
        assert.match(
          missing.stderr,
          /^error CC_E_NOT_FOUND: no workflow of project default is bound to action no-such-action/,
        );
      });

      test('alerts list shows matched and unmatched notifications; --unmatched; show', async () => {
        const matched = await postAlert(firingGroup());
        assert.equal(matched.matched, true);
        const stray = await postAlert(firingGroup({ severity: 'info' }, 'DiskAlmostFull'));
        assert.equal(stray.matched, false);

        const [list, unmatched, unmatchedJson] = await Promise.all([
          cli(['alerts', 'list']),
          cli(['alerts', 'list', '--unmatched']),
          cli(['alerts', 'list', '--unmatched', '--json']),
        ]);
        assert.equal(list.code, 0, list.stderr);
        assert.match(
          list.stdout,
          /^ID +RECEIVED +STATUS +ALERTS +LABELS +MATCHED +RUNS \/ WHY NOT$/m,
        );
        assert.match(
          list.stdout,
          new RegExp(
            `^\\d+ +\\S+ \\S+ +firing +2 +.*severity=critical +yes +${matched.runs[0]!.runId}$`,
            'm',
          ),
        );
        assert.match(list.stdout, /severity=info +no +no alert trigger selects these labels$/m);
        assert.doesNotMatch(unmatched.stdout, /severity=critical/);
        assert.match(unmatched.stdout, /severity=info +no /);
        const [item] = json(unmatchedJson.stdout).items;
        assert.deepEqual(item.groupLabels, { alertname: 'DiskAlmostFull' });

        const show = await cli(['alerts', 'show', item.id]);
        assert.equal(show.code, 0, show.stderr);
        assert.match(show.stdout, /^matched: +no$/m);
        assert.match(show.stdout, /^payload:$/m);
        assert.match(show.stdout, /"fingerprint": "1c5d04b8d2b3a3f7"/);
      });
    },
  );
}
