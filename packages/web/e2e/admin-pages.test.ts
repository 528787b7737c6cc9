/**
 * The admin pages (issue 6, item 6): agents (with an action tested from the page), triggers
 * (pause/resume, history, webhook secret rotation), secrets, tokens and the audit log, against a
 * real hub with data arranged through the API; and a viewer, who sees every mutation disabled
 * with an explanation. Screenshots of each page in both themes and an axe check of each.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { HubClient, isCCError, type TriggerInfo } from '@commandcenter/protocol/client';
import type { Page } from 'playwright-core';
import { pipeline, single } from './fixtures.js';
import {
  assertAccessible,
  laptop,
  screenshotBothThemes,
  uiSuite,
  waitLive,
  watchPage,
  type UiHub,
} from './harness.js';

const ui = { timeout: 15_000 };

const releaseWorkflow = pipeline({
  name: 'nightly-release',
  description: 'Fetches the repository, analyses it and reports, every night and on deploy hooks',
  triggers: [
    { cron: '30 2 * * *', timezone: 'Europe/Paris' },
    { webhook: 'deploy' },
    { manual: {} },
  ],
  repo: 'acme/api',
  lines: 2,
});

const syncWorkflow = single(
  {
    name: 'hourly-sync',
    description: 'Reports every hour and when an audit fails',
    triggers: [{ cron: '@hourly' }, { event: 'audit.result.fail' }],
  },
  'sync',
);

/** Sends a webhook delivery signed with `secret` (the scheme of docs/triggers.md). */
async function deliver(hub: UiHub, name: string, secret: string, body: object): Promise<Response> {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');
  return fetch(`${hub.url}/hooks/default/${name}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-cc-timestamp': ts,
      'x-cc-signature': `sha256=${sig}`,
      'x-cc-delivery': randomUUID(),
    },
    body: raw,
  });
}

/**
 * Screenshots in both themes of everything the page shows: the content scrolls inside <main>
 * (and the trigger drawer), which a full-page screenshot does not unroll, so the viewport grows
 * to fit them for the shot.
 */
async function shoot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? laptop;
  const needed = await page.evaluate(() =>
    Math.max(
      ...Array.from(document.querySelectorAll('main, .trigger-drawer')).map(
        (el) => el.getBoundingClientRect().top + el.scrollHeight,
      ),
    ),
  );
  if (needed > size.height) await page.setViewportSize({ ...size, height: Math.ceil(needed) });
  await screenshotBothThemes(page, name);
  await page.setViewportSize(size);
}

describe('admin pages', { timeout: 240_000 }, () => {
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let triggers: TriggerInfo[];

  const trigger = (workflow: string, kind: TriggerInfo['kind']) => {
    const t = triggers.find((x) => x.workflow === workflow && x.kind === kind);
    assert.ok(t, `trigger ${kind} of ${workflow}`);
    return t;
  };
  const row = (text: string | RegExp) => page.getByRole('row').filter({ hasText: text });

  const suite = uiSuite({
    arrange: async (hub) => {
      const { api } = hub;
      await api.applyWorkflow(releaseWorkflow);
      await api.applyWorkflow(syncWorkflow);
      for (let i = 0; i < 2; i++) assert.equal(await hub.runToEnd('nightly-release'), 'succeeded');
      triggers = (await api.listTriggers()).items;
      // A webhook with a secret, one delivery that started a run and one that was refused.
      const hook = trigger('nightly-release', 'webhook');
      const first = await api.rotateWebhookSecret(hook.id);
      const ok = await deliver(hub, 'deploy', first.secret, { reason: 'tag v1.4.0' });
      assert.equal(ok.status, 202, await ok.text());
      const refused = await deliver(hub, 'deploy', 'ccwh_not_the_secret', {});
      assert.equal(refused.status, 401);
      await api.setSecret('SLACK_TOKEN', 'xoxb-e2e-slack');
      await api.setSecret('GITHUB_TOKEN', 'ghp_e2e_github');
      await api.rotateSecret('GITHUB_TOKEN', 'ghp_e2e_github_2');
      await api.createToken({
        name: 'ci-deploy',
        role: 'operator',
        project: 'default',
        expiresIn: '90d',
      });
      await api.createToken({ name: 'alice-laptop', role: 'viewer', project: 'default' });
      const old = await api.createToken({ name: 'old-ci', role: 'operator', project: 'default' });
      await api.revokeToken(old.id);
    },
  });
  before(async () => {
    page = await suite.context.newPage();
    watch = watchPage(page);
  });

  it('lists agents with their health and searches them', async () => {
    await page.goto('/agents');
    await waitLive(page);
    const e2e = row(/^e2e/);
    await e2e.getByText('Healthy').waitFor(ui);
    const actions = Object.keys((await suite.hub.api.getAgent('e2e')).manifest.actions).length;
    assert.match(await e2e.innerText(), new RegExp(`builtin[\\s\\S]*1\\.0\\.0\\s+${actions}`));
    await row('text-tools').waitFor(ui);
    await shoot(page, 'agents');
    await assertAccessible(page, 'agents');
    await page.getByLabel('Search').fill('analyze');
    await row('text-tools').waitFor({ state: 'detached', ...ui });
    assert.equal(await row(/^e2e/).count(), 1);
    watch.assertClean();
  });

  it('shows an agent with its schemas and health, and tests an action from the page', async () => {
    await page.goto('/agents/e2e');
    const fetchAction = page.getByRole('region', { name: /e2e\.fetch/ });
    await fetchAction.waitFor(ui);
    const repo = fetchAction.getByRole('row').filter({ hasText: 'repo' }).first();
    assert.match(await repo.innerText(), /string[\s\S]*required[\s\S]*owner\/name/);
    const health = page.getByRole('region', { name: /Health/ });
    assert.match(await health.innerText(), /Attempts[\s\S]*\d+/);
    assert.match(await page.getByRole('region', { name: 'Runtime' }).innerText(), /builtin/);
    await shoot(page, 'agent');
    await assertAccessible(page, 'agent');

    await fetchAction.getByRole('button', { name: 'Test fetch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Test e2e' });
    const input = dialog.getByLabel('Input (JSON)');
    assert.deepEqual(JSON.parse(await input.inputValue()), { repo: '' });
    await input.fill(JSON.stringify({ repo: 'acme/web', lines: 2 }));
    await dialog.getByRole('button', { name: 'Run test' }).click();
    const result = dialog.getByRole('region', { name: 'Test result' });
    await result.getByText('Succeeded').waitFor(ui);
    assert.match(await result.getByLabel('Test output').innerText(), /"files": 42/);
    assert.match(
      await result.getByRole('log', { name: 'Test logs' }).innerText(),
      /fetch acme\/web: line 2/,
    );
    await shoot(page, 'agent-test');
    await assertAccessible(page, 'agent test dialog');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden', ...ui });
    watch.assertClean();
  });

  it('lists triggers, filters them, pauses and resumes one', async () => {
    await page.goto('/triggers');
    const cron = trigger('nightly-release', 'cron');
    const cronRow = page.getByTestId(`trigger-row-${cron.id}`);
    await cronRow.waitFor(ui);
    assert.match(await cronRow.innerText(), /30 2 \* \* \* \(Europe\/Paris\)[\s\S]*Active/);
    assert.equal(await page.getByRole('row').count(), 1 + triggers.length); // the examples' too
    await shoot(page, 'triggers');
    await assertAccessible(page, 'triggers');

    await page.getByLabel('Kind').selectOption('webhook');
    await page
      .getByRole('row')
      .nth(2)
      .waitFor({ state: 'detached', ...ui });
    assert.match(await page.getByRole('row').nth(1).innerText(), /deploy, HMAC-signed/);
    await page.getByLabel('Kind').selectOption('');
    await page.getByLabel('Workflow').selectOption('hourly-sync');
    await cronRow.waitFor({ state: 'detached', ...ui });
    assert.equal(await page.getByRole('row').count(), 1 + 2);
    await page.getByLabel('Workflow').selectOption('');

    await cronRow.getByRole('button', { name: /^Pause the cron trigger/ }).click();
    await cronRow.getByText('Paused').waitFor(ui);
    assert.equal((await suite.hub.api.getTrigger(cron.id)).paused, true);
    await cronRow.getByRole('button', { name: /^Resume the cron trigger/ }).click();
    await cronRow.getByText('Active').waitFor(ui);
    assert.equal((await suite.hub.api.getTrigger(cron.id)).paused, false);
    watch.assertClean();
  });

  it('shows a webhook trigger’s history and rotates its secret, shown once', async () => {
    const hook = trigger('nightly-release', 'webhook');
    await page.goto('/triggers');
    await page.getByRole('button', { name: /^Details of the webhook trigger deploy/ }).click();
    const drawer = page.getByRole('complementary', { name: 'Webhook trigger' });
    await drawer.waitFor(ui);
    assert.match(
      await drawer.getByLabel('Webhook URL', { exact: true }).inputValue(),
      /\/hooks\/default\/deploy$/,
    );
    const history = drawer.getByRole('region', { name: 'History' });
    await history.getByText('fired', { exact: true }).waitFor(ui);
    await history.getByText('rejected', { exact: true }).waitFor(ui);
    assert.match(await history.innerText(), /CC_E_WEBHOOK_SIGNATURE/);

    await drawer.getByLabel('Previous secret stays valid for').selectOption('1h');
    await drawer.getByRole('button', { name: 'Rotate secret' }).click();
    const shown = drawer.getByRole('group', { name: 'New signing secret' });
    await shown.waitFor(ui);
    const secret = await shown.getByLabel('signing secret', { exact: true }).inputValue();
    assert.match(secret, /^ccwh_/);
    assert.match(await shown.innerText(), /previous secret is accepted until/);
    const res = await deliver(suite.hub, 'deploy', secret, { reason: 'after rotation' });
    assert.equal(res.status, 202, await res.text());
    // The run it queued reaches the drawer through the live feed.
    await history.getByText('fired', { exact: true }).nth(1).waitFor(ui);
    await shoot(page, 'trigger-webhook');
    await assertAccessible(page, 'trigger drawer');
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await page.getByText(secret).count(), 0);
    assert.equal(await drawer.getByLabel('signing secret', { exact: true }).count(), 0);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached', ...ui });
    assert.ok(hook.url);
    watch.assertClean();
  });

  it('sets, rotates and deletes a secret without ever showing a value', async () => {
    await page.goto('/secrets');
    await row('GITHUB_TOKEN').waitFor(ui);
    assert.match(await row('GITHUB_TOKEN').innerText(), /GITHUB_TOKEN\s+2/);
    await shoot(page, 'secrets');
    await assertAccessible(page, 'secrets');

    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name').fill('PAGER_KEY');
    const value = dialog.getByLabel('Value');
    assert.equal(await value.getAttribute('type'), 'password');
    await value.fill('pd-e2e-value-1');
    await dialog.getByRole('button', { name: 'Save secret' }).click();
    await row('PAGER_KEY').waitFor(ui);
    await row('PAGER_KEY').getByRole('cell', { name: '1', exact: true }).waitFor(ui);

    await page.getByRole('button', { name: 'Rotate PAGER_KEY' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate PAGER_KEY' });
    await rotate.getByLabel('New value').fill('pd-e2e-value-2');
    await rotate.getByRole('button', { name: 'Rotate secret' }).click();
    await row('PAGER_KEY').getByRole('cell', { name: '2', exact: true }).waitFor(ui);
    const stored = (await suite.hub.api.listSecrets()).items.find((s) => s.name === 'PAGER_KEY');
    assert.equal(stored?.version, 2);
    assert.equal(await page.getByText(/pd-e2e-value/).count(), 0);

    await page.getByRole('button', { name: 'Delete PAGER_KEY' }).click();
    await page
      .getByRole('dialog', { name: 'Delete PAGER_KEY?' })
      .getByRole('button', { name: 'Delete secret' })
      .click();
    await row('PAGER_KEY').waitFor({ state: 'detached', ...ui });
    assert.ok(!(await suite.hub.api.listSecrets()).items.some((s) => s.name === 'PAGER_KEY'));
    assert.ok(!(await page.content()).includes('pd-e2e-value'));
    watch.assertClean();
  });

  it('creates a token shown once, and revokes it', async () => {
    await page.goto('/tokens');
    await row('ci-deploy').waitFor(ui);
    assert.match(await row('old-ci').innerText(), /Revoked/);
    await shoot(page, 'tokens');
    await assertAccessible(page, 'tokens');

    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a token' });
    await dialog.getByLabel('Name').fill('release-bot');
    await dialog.getByLabel('Role').selectOption('approver');
    await dialog.getByLabel('Expires').selectOption('30d');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const created = page.getByRole('dialog', { name: 'Token created' });
    const token = await created.getByLabel('API token', { exact: true }).inputValue();
    assert.match(token, /^cc_/);
    const bot = new HubClient({ url: suite.hub.url, token });
    assert.deepEqual(
      { ...(await bot.whoami()), tokenId: '' },
      { tokenId: '', name: 'release-bot', role: 'approver', project: 'default' },
    );
    await shoot(page, 'token-created');
    await assertAccessible(page, 'token created dialog');
    await created.getByRole('button', { name: 'I have copied it' }).click();
    await row('release-bot').waitFor(ui);
    assert.ok(!(await page.content()).includes(token), 'the token is shown only once');

    await page.getByRole('button', { name: 'Revoke release-bot' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke release-bot?' })
      .getByRole('button', { name: 'Revoke token' })
      .click();
    await row(/release-bot[\s\S]*Revoked/).waitFor(ui);
    await assert.rejects(bot.whoami(), (err) => isCCError(err) && err.status === 401);
    watch.assertClean();
  });

  it('shows those actions in the audit log, filtered and expanded', async () => {
    await page.goto('/audit');
    const table = page.getByRole('table', { name: /Audit entries/ });
    await table.waitFor(ui);
    const text = await table.innerText();
    for (const action of [
      'agent.test',
      'trigger.pause',
      'trigger.resume',
      'webhook.secret.rotate',
      'secret.create',
      'secret.rotate',
      'secret.delete',
      'token.create',
      'token.revoke',
    ]) {
      assert.ok(text.includes(action), `the audit log shows ${action}`);
    }
    await shoot(page, 'audit');
    await assertAccessible(page, 'audit');

    await page.getByLabel('Action').fill('secret.rotate');
    await page.getByRole('button', { name: 'Filter' }).click();
    await row('token.create')
      .first()
      .waitFor({ state: 'detached', ...ui });
    const entries = table.locator('tbody tr');
    assert.equal(await entries.count(), 2); // GITHUB_TOKEN through the API, PAGER_KEY in the UI
    assert.match(await entries.first().innerText(), /PAGER_KEY/);
    await page.getByRole('button', { name: 'Show details of secret.rotate' }).first().click();
    assert.match(await page.getByLabel('Detail of secret.rotate').innerText(), /"version": 2/);
    assert.match(await entries.nth(1).innerText(), /User agent[\s\S]*Chrome/);
    watch.assertClean();
  });

  it('shows a viewer every mutation disabled, with an explanation', async () => {
    const ctx = await suite.viewerContext('auditor');
    const p = await ctx.newPage();
    const w = watchPage(p);
    const note = (text: RegExp) => p.getByRole('note').filter({ hasText: text });

    await p.goto('/secrets');
    await p.getByRole('row').filter({ hasText: 'SLACK_TOKEN' }).waitFor(ui);
    await note(/admin.*set, rotate or delete secrets.*viewer/).waitFor(ui);
    assert.equal(await p.getByRole('button', { name: 'New secret' }).isDisabled(), true);
    assert.equal(await p.getByRole('button', { name: 'Delete SLACK_TOKEN' }).isDisabled(), true);
    await shoot(p, 'secrets-viewer');

    await p.goto('/triggers');
    await note(/operator.*pause or resume triggers/).waitFor(ui);
    for (const b of await p.getByRole('button', { name: /^Pause the / }).all()) {
      assert.equal(await b.isDisabled(), true);
    }
    await p.getByRole('button', { name: /^Details of the webhook trigger deploy/ }).click();
    assert.equal(await p.getByRole('button', { name: 'Rotate secret' }).isDisabled(), true);
    await p.getByText('Only admins can create or rotate the signing secret.').waitFor(ui);

    await p.goto('/agents/e2e');
    await note(/operator.*test an agent/).waitFor(ui);
    assert.equal(await p.getByRole('button', { name: 'Test action' }).isDisabled(), true);

    await p.goto('/tokens');
    await note(/admin.*API tokens/).waitFor(ui);
    assert.equal(await p.getByRole('button', { name: 'Create token' }).count(), 0);
    await p.goto('/audit');
    await note(/admin.*audit log/).waitFor(ui);
    assert.equal(
      await p.getByRole('navigation', { name: 'Main' }).getByText('Audit log').count(),
      0,
    );
    await assertAccessible(p, 'audit as a viewer');
    w.assertClean();
    await ctx.close();
  });
});
