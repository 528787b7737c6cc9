/**
 * The CLI as a user runs it: `commandcenter …` subprocesses against a real hub subprocess
 * (`commandcenter up`), on PGlite and, when the test runner found one, on PostgreSQL (in a schema
 * of its own). One hub per store kind; every wait is on a subprocess's output or exit.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { storeKinds } from '../testing/stores.js';
import { closedPort, start, startHub, workflows, type Hub } from './cli-test-harness.js';

const json = (text: string): any => JSON.parse(text);
const ndjson = (text: string): any[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('commandcenter CLI', { concurrency: true }, () => {
  test('worker without DATABASE_URL: refuses with the reason, exit 1', async () => {
    const r = await start(['worker'], { CC_DATA_DIR: join(tmpdir(), 'cc-worker-none') }).done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error CC_E_CONFIG_INVALID: commandcenter worker needs DATABASE_URL/);
  });

  test('hub unreachable: a clear message, the fix, exit 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const [list, doctor] = await Promise.all([
      start(['runs', 'list'], { CC_URL: url, CC_TOKEN: 'cc_whatever_1234567890' }).done,
      start(['doctor'], { CC_URL: url }).done,
    ]);
    assert.equal(list.code, 1);
    assert.equal(list.stdout, '');
    assert.match(
      list.stderr,
      new RegExp(`^error CC_E_HUB_UNREACHABLE: cannot reach the hub at ${url}: .*ECONNREFUSED`),
    );
    assert.match(list.stderr, /\nfix: Start the hub .*commandcenter up.*CC_URL/);
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /^✗ hub reachable: CC_E_HUB_UNREACHABLE: cannot reach the hub/m);
    assert.match(doctor.stdout, /^ {4}fix: start the hub/m);
  });

  for (const kind of storeKinds()) {
    // One test at a time: they build on each other (apply first), and the hub is shared.
    describe(`against a hub on ${kind}`, { concurrency: 1 }, () => {
      let hub: Hub;
      let files: string;
      const cli = (args: string[], opts: { token?: string; input?: string } = {}) =>
        start(args, { CC_URL: hub.url, CC_TOKEN: opts.token ?? hub.token }, opts.input).done;
      const file = (name: string) => join(files, name);

      before(async () => {
        hub = await startHub(kind);
        files = join(hub.dir, 'files');
      });
      after(() => hub?.stop());

      test('apply registers agents first, resolves cwd, applies workflows; errors name the field', async () => {
        const r = await cli([
          'apply',
          '-f',
          file('ok.yaml'),
          file('fail.yaml'),
          file('gate.yaml'),
          file('agent.yaml'),
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.stdout.trim().split('\n'), [
          'agent cli-agent@1.0.0 registered',
          'workflow cli-ok v1 applied',
          'workflow cli-fail v1 applied',
          'workflow cli-gate v1 applied',
        ]);

        const [again, agent, invalid, dry] = await Promise.all([
          cli(['--json', 'apply', '-f', file('ok.yaml')]),
          cli(['agents', 'show', 'cli-agent', '--json']),
          cli(['apply', '-f', file('invalid.yaml')]),
          cli(['apply', '--dry-run', '-f', file('ok.yaml'), file('agent.yaml')]),
        ]);
        assert.equal(again.code, 0);
        assert.deepEqual(
          [json(again.stdout).name, json(again.stdout).version, json(again.stdout).created],
          ['cli-ok', 1, false],
        );
        assert.equal(json(agent.stdout).manifest.runtime.cwd, files);
        assert.equal(invalid.code, 1);
        assert.match(invalid.stderr, /^✗ .*invalid\.yaml\nerror CC_E_WORKFLOW_INVALID: /);
        assert.match(invalid.stderr, /^ {2}nodes\[0\]\.agent: .*no-such-agent.* — /m);
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stdout, /^workflow cli-ok is valid/m);
        assert.match(dry.stderr, /agent cli-agent not checked/);
      });

      test('run --wait exits 0 when the run succeeds and 2 when it fails', async () => {
        const [ok, failed, fromFile] = await Promise.all([
          cli(['run', 'cli-ok', '--input', '{"text":"hi"}', '--wait']),
          cli(['run', 'cli-fail', '--wait']),
          cli(['run', 'cli-ok', '--input', `@${file('input.json')}`, '--wait', '--json']),
        ]);
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /^run \S+ succeeded in /m);
        assert.match(ok.stdout, /"text": "second time lucky"/);
        assert.equal(failed.code, 2, failed.stderr);
        assert.match(failed.stdout, /^run (\S+) failed in .*boom on purpose/m);
        assert.match(failed.stdout, /^re-run it from the failed step: commandcenter runs rerun /m);
        assert.equal(fromFile.code, 0, fromFile.stderr);
        const run = json(fromFile.stdout);
        assert.equal(run.status, 'succeeded');
        assert.deepEqual(run.input, { text: 'from a file' });
      });

      test('run --follow prints one line per step, then the outcome', async () => {
        const [ok, failed, asJson] = await Promise.all([
          cli(['run', 'cli-ok', '--input', '{"text":"hi"}', '--follow']),
          cli(['run', 'cli-fail', '--follow']),
          cli(['--json', 'run', 'cli-ok', '--input', '{"text":"j"}', '--follow']),
        ]);
        assert.equal(ok.code, 0, ok.stderr);
        const lines = ok.stdout.trim().split('\n');
        assert.match(lines[0]!, /^run \S+ (queued|running): cli-ok v1$/);
        assert.match(lines[1]!, /^✓ first \(\d/);
        assert.match(lines[2]!, /^↻ second retrying: attempt 2 .*flaky first attempt/);
        assert.match(lines[3]!, /^✓ second( \(|$)/);
        assert.match(lines[4]!, /^run \S+ succeeded in /);
        assert.equal(failed.code, 2);
        assert.match(failed.stdout, /^✗ boom: CC_E_\w+: boom on purpose$/m);
        assert.match(failed.stdout, /^run \S+ failed in /m);

        // NDJSON: the run when following began, then its events; the outcome is in one of them.
        assert.equal(asJson.code, 0, asJson.stderr);
        const [snapshot, ...events] = ndjson(asJson.stdout);
        assert.ok(Array.isArray(snapshot.steps) && snapshot.workflow === 'cli-ok');
        for (const e of events) assert.equal(e.runId, snapshot.id);
        const last = events.at(-1);
        if (last) assert.equal(last.type, 'workflow.run.succeeded');
        else assert.equal(snapshot.status, 'succeeded');
      });

      test('approvals list, approve and reject from the CLI while runs wait', async () => {
        const env = { CC_URL: hub.url, CC_TOKEN: hub.token };
        const waiting =
          /^⏸ gated waiting for approval (\S+) — commandcenter approvals approve \S+$/m;
        const follower = start(['run', 'cli-gate', '--follow'], env);
        const rejected = start(['run', 'cli-gate', '--follow'], env);
        const [[, id], [, rejectId]] = await Promise.all([
          follower.waitFor(waiting),
          rejected.waitFor(waiting),
        ]);
        const reject = await cli(['approvals', 'reject', rejectId!, '-m', 'not today']);
        assert.equal(reject.stdout, `approval ${rejectId} rejected\n`);
        const rejectedRun = await rejected.done;
        assert.equal(rejectedRun.code, 2);
        assert.match(rejectedRun.stdout, /^■ gated rejected by \S+$/m);
        assert.match(rejectedRun.stdout, /^✗ gated: CC_E_APPROVAL_REJECTED: /m);
        assert.match(rejectedRun.stdout, /^run \S+ failed in /m);

        const [list, listJson, show] = await Promise.all([
          cli(['approvals', 'list']),
          cli(['approvals', 'list', '--json']),
          cli(['approvals', 'show', id!]),
        ]);
        assert.match(list.stdout, new RegExp(`^${id} +cli-gate +gated +\\S+ +pending`, 'm'));
        assert.ok(json(listJson.stdout).items.some((a: any) => a.id === id));
        assert.match(show.stdout, /^status: +pending$/m);
        assert.match(show.stdout, /^snapshot:$/m);

        const approve = await cli(['approvals', 'approve', id!, '--comment', 'ship it']);
        assert.equal(approve.code, 0, approve.stderr);
        assert.equal(approve.stdout, `approval ${id} approved\n`);
        const followed = await follower.done;
        assert.equal(followed.code, 0, followed.stderr);
        assert.match(followed.stdout, /^▶ gated approved by \S+$/m);
        assert.match(followed.stdout, /^✓ gated/m);
        assert.match(followed.stdout, /^run \S+ succeeded/m);

        const [twice, rejectJson] = await Promise.all([
          cli(['approvals', 'approve', id!]),
          cli(['approvals', 'list', '--status', 'approved', '--json']),
        ]);
        assert.equal(twice.code, 1);
        assert.match(twice.stderr, /^error CC_E_APPROVAL_ALREADY_DECIDED: /);
        const decided = json(rejectJson.stdout).items.find((a: any) => a.id === id);
        assert.equal(decided.comment, 'ship it');
      });

      test('runs list, show, logs, rerun and cancel', async () => {
        const failed = await cli(['--json', 'run', 'cli-fail', '--wait']);
        assert.equal(failed.code, 2);
        const id = json(failed.stdout).id as string;

        const [list, listJson, byStatus, show, showJson, logs, logsJson, follow] =
          await Promise.all([
            cli(['runs', 'list', '--workflow', 'cli-fail']),
            cli(['runs', 'list', '--workflow', 'cli-fail', '--limit', '1', '--json']),
            cli(['runs', 'list', '--status', 'failed', '--json']),
            cli(['runs', 'show', id]),
            cli(['runs', 'show', id, '--json']),
            cli(['runs', 'logs', id]),
            cli(['runs', 'logs', id, '--json']),
            cli(['runs', 'logs', id, '--follow']),
          ]);
        assert.match(list.stdout, /^ID +WORKFLOW +STATUS +TRIGGER +CREATED +DURATION$/m);
        assert.match(list.stdout, new RegExp(`^${id} +cli-fail v1 +failed +manual`, 'm'));
        const page = json(listJson.stdout);
        assert.deepEqual(
          page.items.map((r: any) => r.id),
          [id],
        );
        assert.equal(typeof page.nextCursor, 'string');
        assert.ok(json(byStatus.stdout).items.every((r: any) => r.status === 'failed'));
        assert.match(show.stdout, /^status: +failed$/m);
        assert.match(show.stdout, /^boom +failed +1\/1 +cli-agent\.fail .*boom on purpose$/m);
        assert.equal(json(showJson.stdout).steps[0].error.message, 'boom on purpose');
        assert.match(logs.stdout, /^\d\d:\d\d:\d\d\.\d{3} boom#1 {2}cli-agent fail attempt 1$/m);
        assert.equal(json(logsJson.stdout).items[0].line, 'cli-agent fail attempt 1');
        assert.equal(follow.code, 0);
        assert.equal(follow.stdout, logs.stdout);

        const [rerun, rerunJson, rerunWait] = await Promise.all([
          cli(['runs', 'rerun', id]),
          cli(['runs', 'rerun', id, '--from', 'scratch', '--latest', '--json']),
          cli(['runs', 'rerun', id, '--wait']),
        ]);
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.match(
          rerun.stdout,
          new RegExp(`^run \\S+ \\w+: cli-fail v1, re-run of ${id}$`, 'm'),
        );
        assert.equal(json(rerunJson.stdout).rerunOf, id);
        assert.equal(rerunWait.code, 2);

        const gate = await cli(['--json', 'run', 'cli-gate']);
        const gateId = json(gate.stdout).id as string;
        const cancel = await cli(['runs', 'cancel', gateId]);
        assert.equal(cancel.code, 0, cancel.stderr);
        assert.equal(cancel.stdout, `run ${gateId} cancelled\n`);
        const again = await cli(['runs', 'cancel', gateId, '--json']);
        assert.equal(again.code, 1);
        assert.match(again.stderr, /^error CC_E_RUN_NOT_CANCELLABLE: /);
        const missing = await cli(['runs', 'show', '00000000-0000-4000-8000-000000000000']);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /^error CC_E_NOT_FOUND: /);
      });

      test('secrets set, list, rotate and delete without ever printing a value', async () => {
        const value = `s3cr3t-${randomBytes(6).toString('hex')}`;
        const [set, fromStdin, none] = await Promise.all([
          cli(['secrets', 'set', 'API_KEY', '--value', value]),
          cli(['secrets', 'set', 'OTHER', '--from-stdin', '--json'], { input: `${value}-2\n` }),
          cli(['secrets', 'set', 'EMPTY']),
        ]);
        assert.equal(set.code, 0, set.stderr);
        assert.equal(set.stdout, 'secret API_KEY created (version 1)\n');
        assert.deepEqual(json(fromStdin.stdout), { name: 'OTHER', version: 1, created: true });
        assert.equal(none.code, 1);
        assert.match(none.stderr, /^error CC_E_BAD_REQUEST: stdin was empty/);

        const rotate = await cli(['secrets', 'rotate', 'API_KEY', '--value', `${value}-3`]);
        assert.equal(rotate.stdout, 'secret API_KEY rotated (version 2)\n');
        const [list, listJson] = await Promise.all([
          cli(['secrets', 'list']),
          cli(['secrets', 'list', '--json']),
        ]);
        assert.match(list.stdout, /^API_KEY +2 /m);
        assert.match(list.stdout, /^OTHER +1 /m);
        assert.deepEqual(
          json(listJson.stdout)
            .items.map((s: any) => s.name)
            .sort(),
          ['API_KEY', 'OTHER'],
        );
        const del = await cli(['secrets', 'delete', 'OTHER']);
        assert.equal(del.stdout, 'secret OTHER deleted\n');
        const after = await cli(['secrets', 'list', '--json']);
        assert.deepEqual(
          json(after.stdout).items.map((s: any) => s.name),
          ['API_KEY'],
        );
        for (const r of [set, fromStdin, rotate, list, listJson, del, after]) {
          assert.ok(!r.stdout.includes(value) && !r.stderr.includes(value), 'a value was printed');
        }
      });

      test('tokens create, list and revoke; a revoked or wrong token is refused', async () => {
        const created = await cli([
          'tokens',
          'create',
          '--name',
          'ci',
          '--role',
          'viewer',
          '--json',
        ]);
        assert.equal(created.code, 0, created.stderr);
        const { id, token } = json(created.stdout);
        assert.match(token, /^cc_/);

        const [list, listJson, asViewer, viewerWrites, human] = await Promise.all([
          cli(['tokens', 'list']),
          cli(['tokens', 'list', '--json']),
          cli(['runs', 'list', '--json'], { token }),
          cli(['secrets', 'set', 'X', '--value', 'y'], { token }),
          cli(['tokens', 'create', '--name', 'people', '--role', 'approver', '--expires', '30d']),
        ]);
        assert.match(list.stdout, new RegExp(`^${id} +ci +viewer`, 'm'));
        assert.ok(json(listJson.stdout).items.some((t: any) => t.id === id));
        assert.equal(asViewer.code, 0, asViewer.stderr);
        assert.equal(viewerWrites.code, 1);
        assert.match(viewerWrites.stderr, /^error CC_E_(FORBIDDEN|NOT_FOUND): /);
        assert.match(human.stdout, /^token \S+ "people" created: approver, .*expires /);
        assert.match(human.stdout, /^cc_\S+$/m);
        assert.match(human.stderr, /not shown again/);

        const revoke = await cli(['tokens', 'revoke', id]);
        assert.equal(revoke.stdout, `token ${id} revoked\n`);
        const [revoked, wrong, doctorWrong] = await Promise.all([
          cli(['runs', 'list'], { token }),
          cli(['runs', 'list'], { token: 'cc_not_a_real_token_0123456789' }),
          cli(['doctor'], { token: 'cc_not_a_real_token_0123456789' }),
        ]);
        assert.equal(revoked.code, 1);
        assert.match(revoked.stderr, /^error CC_E_TOKEN_REVOKED: /);
        assert.match(revoked.stderr, /\nfix: Ask an admin for a new token/);
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /^error CC_E_UNAUTHORIZED: /);
        assert.match(wrong.stderr, /\nfix: Send a valid API token .*CC_TOKEN/);
        assert.equal(doctorWrong.code, 1);
        assert.match(doctorWrong.stdout, /^✓ hub reachable/m);
        assert.match(doctorWrong.stdout, /^✗ token: CC_E_UNAUTHORIZED/m);
      });

      test('workflows, agents, projects, audit and doctor', async () => {
        await writeFile(
          file('ok-v2.yaml'),
          workflows['ok.yaml'].replace('description: echo,', 'description: v2 echo,'),
        );
        const v2 = await cli(['apply', '-f', file('ok-v2.yaml')]);
        assert.equal(v2.stdout, 'workflow cli-ok v2 applied\n');
        const project = `team-${randomBytes(3).toString('hex')}`;
        const [list, show, showV1, diff, valid, invalid, agents, agentTest, agentFail] =
          await Promise.all([
            cli(['workflows', 'list', '--json']),
            cli(['workflows', 'show', 'cli-ok']),
            cli(['workflows', 'show', 'cli-ok', '--version', '1', '--json']),
            cli(['workflows', 'diff', 'cli-ok', '1', '2']),
            cli(['workflows', 'validate', '-f', file('gate.yaml')]),
            cli(['workflows', 'validate', '-f', file('invalid.yaml')]),
            cli(['agents', 'list']),
            cli(['agents', 'test', 'cli-agent', 'echo', '--input', '{"text":"yo"}']),
            cli(['agents', 'test', 'cli-agent', 'fail', '--json']),
          ]);
        assert.deepEqual(
          json(list.stdout)
            .items.map((w: any) => w.name)
            .sort(),
          ['cli-fail', 'cli-gate', 'cli-ok'],
        );
        assert.match(show.stdout, /^latest version: +2$/m);
        assert.match(show.stdout, /^description: v2 echo,/m);
        assert.equal(json(showV1.stdout).version, 1);
        assert.match(diff.stdout, /^-description: echo,/m);
        assert.match(diff.stdout, /^\+description: v2 echo,/m);
        assert.equal(valid.stdout, 'workflow cli-gate is valid\n');
        assert.equal(invalid.code, 1);
        assert.match(invalid.stderr, /^error CC_E_WORKFLOW_INVALID: /);
        assert.match(agents.stdout, /^cli-agent +1\.0\.0 +process +low +echo, fail, flaky/m);
        assert.equal(agentTest.code, 0, agentTest.stderr);
        assert.match(agentTest.stdout, /^log: cli-agent echo attempt 1$/m);
        assert.match(agentTest.stdout, /^✓ cli-agent\.echo \(/m);
        assert.match(agentTest.stdout, /"text": "yo"/);
        assert.equal(agentFail.code, 2);
        assert.equal(json(agentFail.stdout).error.message, 'boom on purpose');

        const created = await cli(['projects', 'create', project]);
        assert.equal(created.stdout, `project ${project} created\n`);
        const [projects, projectShow, audit, auditJson, doctor, doctorJson, archive] =
          await Promise.all([
            cli(['projects', 'list', '--json']),
            cli(['projects', 'show', 'default']),
            cli(['audit', 'list', '--limit', '200']),
            cli(['audit', 'list', '--action', 'workflow.apply', '--json']),
            cli(['doctor']),
            cli(['doctor', '--json']),
            cli(['--project', project, 'workflows', 'archive', 'cli-ok']),
          ]);
        assert.ok(json(projects.stdout).items.some((p: any) => p.name === project));
        assert.match(projectShow.stdout, /^workflows: +3$/m);
        assert.match(audit.stdout, /^AT +ACTOR +ACTION +TARGET/m);
        assert.match(audit.stdout, /CC_ADMIN_TOKEN +project\.create +\S*/);
        assert.ok(json(auditJson.stdout).items.every((e: any) => e.action === 'workflow.apply'));
        assert.equal(doctor.code, 0, doctor.stdout);
        assert.deepEqual(
          doctor.stdout
            .trim()
            .split('\n')
            .map((l) => l.split(':')[0]),
          ['✓ hub reachable', '✓ hub ready', '✓ token'],
        );
        assert.equal(json(doctorJson.stdout).ok, true);
        // The workflow lives in `default`, not in the new project.
        assert.equal(archive.code, 1);
        assert.match(archive.stderr, /^error CC_E_NOT_FOUND: /);
        const archived = await cli(['workflows', 'archive', 'cli-fail', '--json']);
        assert.deepEqual(json(archived.stdout), { name: 'cli-fail', archived: true });
      });

      test('agents apply, agent health, project settings', async () => {
        const [applied, notAgent, shown, settings] = await Promise.all([
          cli(['agents', 'apply', '-f', file('agent.yaml')]),
          cli(['agents', 'apply', '-f', file('ok.yaml')]),
          cli(['agents', 'show', 'cli-agent']),
          cli([
            'projects',
            'settings',
            'default',
            '--approval-threshold',
            'critical',
            '--egress-allow',
            '10.0.0.0/8',
            'api.internal',
          ]),
        ]);
        assert.equal(applied.stdout, 'agent cli-agent@1.0.0 unchanged\n', applied.stderr);
        assert.equal(notAgent.code, 1);
        assert.match(notAgent.stderr, /ok\.yaml is a workflow, not an agent manifest/);
        // The runs of the earlier tests used cli-agent: its health counts them.
        assert.match(
          shown.stdout,
          /^health: +(healthy|degraded|failing): \d+\/\d+ attempts failed/m,
        );
        assert.equal(settings.code, 0, settings.stderr);
        assert.match(settings.stdout, /^approval threshold: +critical$/m);
        assert.match(
          settings.stdout,
          /^always require approval: +patcher\.apply, patcher\.createFixPR$/m,
        );
        assert.match(settings.stdout, /^egress allowed hosts: +10\.0\.0\.0\/8, api\.internal$/m);
        const [asJson, bad] = await Promise.all([
          cli(['projects', 'settings', 'default', '--json']),
          cli(['projects', 'settings', 'default', '--egress-allow', '10.0.0.0/99']),
        ]);
        assert.deepEqual(json(asJson.stdout).stored, {
          approvalPolicy: { threshold: 'critical' },
          egressAllowHosts: ['10.0.0.0/8', 'api.internal'],
        });
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /egressAllowHosts\[0\].*not a valid CIDR range/);
      });
    });
  }
});
