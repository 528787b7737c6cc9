/**
 * The shipped agents together on a real hub, as in SPEC §2: security-scanner scans a repository,
 * notifier tells a Slack-format receiver, code-reviewer reviews each file with findings through
 * an OpenAI-compatible server, and patcher — risk high — waits for an approval, then commits the
 * fix on a new branch. Credentials come from project secrets; the local servers are reachable
 * because the project allowlists 127.0.0.1 (the SSRF guard refuses them otherwise).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { completion, startChatServer, type ChatServer } from '../executors/llm-test-server.js';
import { startLocalServer, type LocalTestServer } from '../net/local-test-server.js';
import { openApiHarness, V1, type ApiHarness } from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';

const review = { summary: 'Builds HTML from input.', score: 40, findings: [] };

const workflow = {
  name: 'security-audit-fix',
  inputs: { type: 'object', properties: { repo: { type: 'string' } }, required: ['repo'] },
  nodes: [
    {
      id: 'scan',
      agent: 'security-scanner',
      action: 'scan',
      inputs: { path: '{{ input.repo }}', audit: false },
    },
    {
      id: 'notify',
      agent: 'notifier',
      action: 'send',
      dependsOn: ['scan'],
      when: '{{ nodes.scan.output.summary.high > 0 }}',
      inputs: {
        channel: 'slack',
        message: '{{ nodes.scan.output.summary.high }} high findings in {{ input.repo }}',
      },
    },
    {
      id: 'review_each',
      agent: 'code-reviewer',
      action: 'review',
      dependsOn: ['scan'],
      forEach: '{{ nodes.scan.output.files }}',
      inputs: { file: '{{ item }}' },
    },
    {
      id: 'patch',
      agent: 'patcher',
      action: 'apply',
      dependsOn: ['review_each'],
      approval: 'auto',
      inputs: {
        repository: '{{ input.repo }}',
        branch: 'cc/escape-html',
        message: 'fix: escape the title',
        changes: [{ path: 'src/view.js', action: 'write', content: 'el.textContent = title;\n' }],
      },
    },
  ],
};

for (const kind of storeKinds()) {
  describe(`shipped agents on a real hub (${kind})`, { timeout: 120_000 }, () => {
    let h: ApiHarness;
    let slack: LocalTestServer;
    let llm: ChatServer;
    let root: string;
    let repo: string;
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

    before(async () => {
      root = mkdtempSync(join(tmpdir(), 'cc-ws-'));
      repo = join(root, 'app');
      mkdirSync(join(repo, 'src'), { recursive: true });
      writeFileSync(join(repo, 'src', 'view.js'), 'el.innerHTML = "<h1>" + title + "</h1>";\n');
      writeFileSync(
        join(repo, 'src', 'config.js'),
        `export const key = "${'AKIA' + 'Q3EGRIPN4VZL7TBD'}";\n`,
      );
      execFileSync('git', ['init', '-q', '-b', 'main', repo]);
      git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
      git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'initial');
      slack = await startLocalServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
      llm = await startChatServer({
        apiKey: 'sk-test',
        answer: () => completion(JSON.stringify(review)),
      });
      h = await openApiHarness(kind, { env: { CC_WORKSPACE_ROOTS: root } });
      const set = async (name: string, value: string) => {
        const r = await h.call('PUT', `${V1}/secrets/${name}`, { body: { value } });
        assert.equal(r.status, 201, r.text);
      };
      await set('SLACK_WEBHOOK_URL', `${slack.origin}/services/T000/B000/XXXX`);
      await set('LLM_BASE_URL', llm.baseUrl);
      await set('LLM_MODEL', 'gpt-4o-mini');
      await set('LLM_API_KEY', 'sk-test');
      const applied = await h.call('POST', `${V1}/workflows`, { body: workflow });
      assert.equal(applied.status, 201, applied.text);
    });
    after(async () => {
      await h?.close();
      await slack?.close();
      await llm?.close();
      rmSync(root, { recursive: true, force: true });
    });

    test('without an allowlist the SSRF guard refuses the local Slack receiver', async () => {
      const run = await h.call('POST', `${V1}/runs`, {
        body: { workflow: workflow.name, input: { repo } },
      });
      assert.equal(run.status, 202, run.text);
      assert.equal(await h.waitForRun(run.json.id, 60_000), 'failed');
      const shown = await h.call('GET', `${V1}/runs/${run.json.id}`);
      const notify = shown.json.steps.find((s: { key: string }) => s.key === 'notify');
      assert.equal(notify.error.code, 'CC_E_EGRESS_REFUSED', JSON.stringify(notify.error));
      assert.equal(slack.requests.length, 0);
      assert.ok(
        !JSON.stringify(shown.json).includes('/services/T000/B000/XXXX'),
        'the webhook URL is redacted',
      );
    });

    test('scan → notify → review each file → patch after approval', async () => {
      const settings = await h.call('PATCH', `${V1}/projects/default/settings`, {
        body: { egressAllowHosts: ['127.0.0.1'] },
      });
      assert.equal(settings.status, 200, settings.text);
      const run = await h.call('POST', `${V1}/runs`, {
        body: { workflow: workflow.name, input: { repo } },
      });
      assert.equal(run.status, 202, run.text);
      const id = run.json.id as string;

      // patcher.apply always waits (the default policy), even with `approval: auto`.
      const requested = await h.waitForEvent(
        (e) => e.runId === id && e.type === 'approval.requested',
        60_000,
      );
      const approvalId = (requested.data as { approvalId: string }).approvalId;
      const approval = await h.call('GET', `${V1}/approvals/${approvalId}`);
      assert.equal(approval.json.snapshot.agent, 'patcher');
      assert.equal(approval.json.snapshot.risk, 'high');
      assert.equal(approval.json.snapshot.input.branch, 'cc/escape-html');
      assert.throws(
        () => git('rev-parse', '--verify', 'cc/escape-html'),
        'nothing is written before approval',
      );

      const ok = await h.call('POST', `${V1}/approvals/${approvalId}/approve`, {
        body: { comment: 'ship it' },
      });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(await h.waitForRun(id, 60_000), 'succeeded');

      const shown = (await h.call('GET', `${V1}/runs/${id}`)).json;
      const step = (key: string) => shown.steps.find((s: { key: string }) => s.key === key);
      assert.equal(
        step('scan').output.summary.high,
        1,
        JSON.stringify(step('scan').output.summary),
      );
      assert.deepEqual(
        step('scan')
          .output.files.map((f: { path: string }) => f.path)
          .sort(),
        ['src/config.js', 'src/view.js'],
      );
      // Slack got the message, in its wire format.
      assert.equal(slack.requests.length, 1);
      const sent = JSON.parse(slack.requests[0]!.body) as { text: string };
      assert.match(sent.text, /1 high findings in/);
      assert.equal(step('notify').output.delivered, true);
      // One review per file with findings; tokens are recorded on each attempt.
      const reviews = shown.steps.filter(
        (s: { parentKey: string | null }) => s.parentKey === 'review_each',
      );
      assert.equal(reviews.length, 2);
      for (const r of reviews) {
        assert.deepEqual(r.output, review);
        assert.equal(r.attempts[0].usage.model, 'test-model-2024-01-01');
        assert.ok(r.attempts[0].usage.tokensIn > 0);
      }
      assert.equal(llm.calls.length, 2);
      // The config line with the key never reached the LLM.
      assert.ok(
        !JSON.stringify(llm.calls).includes('AKIA'),
        'secret lines are redacted before review',
      );
      // patcher committed on a new branch; the checkout is untouched.
      assert.equal(step('patch').output.branch, 'cc/escape-html');
      assert.equal(git('show', 'cc/escape-html:src/view.js'), 'el.textContent = title;');
      assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD'), 'main');
      assert.equal(git('status', '--porcelain'), '');
    });
  });
}
