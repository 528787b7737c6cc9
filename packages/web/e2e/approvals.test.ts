/**
 * Approvals against a real hub: a run that waits for an approval shows up in the inbox and in
 * the header badge without a reload; the approval page shows what will run (agent, action, risk,
 * resolved inputs, upstream outputs); approving it with a comment lets the run finish, rejecting
 * fails it; a decision taken elsewhere shows live; a viewer cannot decide. Checked through the
 * API; screenshots in both themes, axe checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { fetchStep, gateStep, step } from './fixtures.js';
import { assertAccessible, screenshotBothThemes, uiSuite, waitLive, watchPage } from './harness.js';

const T = 20_000;

const release = {
  name: 'e2e-release',
  description: 'Fetches, then deploys what it fetched once someone approves',
  nodes: [
    fetchStep('{{ input.repo }}'),
    gateStep('prod/{{ nodes.fetch.output.repo }}', 'deploy', 'fetch'),
    step('report', 'report', { text: 'shipped' }, 'deploy'),
  ],
};

/** Waits until the header badge counts `n` pending approvals. */
const badgeSays = (page: Page, n: number) =>
  page
    .getByTestId('approvals-badge')
    .filter({ hasText: new RegExp(`^Approvals\\s*${n}\\s*pending$`) })
    .waitFor({ timeout: T });

describe('approvals', { timeout: 180_000 }, () => {
  const suite = uiSuite({ arrange: (hub) => hub.api.applyWorkflow(release) });
  /** Starts a release run and returns it with its pending approval (once the gate asked). */
  const gatedRun = async (repo: string) => {
    const run = await suite.hub.api.startRun({ workflow: release.name, input: { repo } });
    return { run, approval: await suite.hub.pendingApproval(run.id) };
  };

  it('lists a new approval live with the badge, and approving it with a comment finishes the run', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/approvals');
    await page.getByText('Nothing is waiting for a decision').waitFor({ timeout: T });
    await assertAccessible(page, 'approvals inbox (empty)');
    await waitLive(page);
    await badgeSays(page, 0);

    // No reload: the feed brings the request to the inbox and the badge.
    const { run, approval } = await gatedRun('acme/app');
    await page.getByRole('link', { name: 'Review deploy of e2e-release' }).waitFor({ timeout: T });
    await badgeSays(page, 1);
    const row = page.getByRole('row').filter({ hasText: 'e2e.deploy' });
    await row.getByText('high').waitFor();
    await page.getByRole('tab', { name: 'Pending (1)' }).waitFor();
    await screenshotBothThemes(page, 'approvals-inbox');
    await assertAccessible(page, 'approvals inbox');

    await page.getByRole('link', { name: 'Review deploy of e2e-release' }).click();
    await page.waitForURL(`**/approvals/${approval.id}`);
    const what = page.getByRole('region', { name: 'What will run' });
    await what.getByRole('link', { name: 'e2e' }).waitFor({ timeout: T });
    assert.match((await what.textContent()) ?? '', /Actiondeploy/);
    await what.getByText('high').waitFor();
    assert.match(
      (await page.getByLabel('Resolved inputs (JSON)', { exact: true }).textContent()) ?? '',
      /"target": "prod\/acme\/app"/,
    );
    assert.match((await page.getByLabel('Output of fetch').textContent()) ?? '', /"files": 42/);
    await page
      .getByRole('region', { name: 'Run', exact: true })
      .getByText('Waiting approval')
      .waitFor({ timeout: T });
    await screenshotBothThemes(page, 'approval');
    await assertAccessible(page, 'approval page');
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    await assertAccessible(page, 'approval page (dark)');
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));

    await page.getByLabel('Comment').fill('Checked the diff, go ahead');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved: the step runs now').waitFor({ timeout: T });
    const decision = page.getByRole('region', { name: 'Decision', exact: true });
    await decision.getByText('Checked the diff, go ahead').waitFor({ timeout: T });
    assert.equal(await suite.hub.waitForRun(run.id), 'succeeded');
    const decided = await suite.hub.api.getApproval(approval.id);
    assert.equal(decided.status, 'approved');
    assert.equal(decided.comment, 'Checked the diff, go ahead');
    await page
      .getByRole('region', { name: 'Run', exact: true })
      .getByText('Succeeded')
      .waitFor({ timeout: T });
    await badgeSays(page, 0);
    await screenshotBothThemes(page, 'approval-decided');
    watch.assertClean();
    await page.close();
  });

  it('rejecting fails the run, and the decided tab keeps who, when and why', async () => {
    const { run, approval } = await gatedRun('acme/risky');
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto(`/approvals/${approval.id}`);
    await page.getByLabel('Comment').fill('Not on a Friday');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText(/^Rejected: the step will not run/).waitFor({ timeout: T });
    assert.equal(await suite.hub.waitForRun(run.id), 'failed');
    assert.equal((await suite.hub.api.getApproval(approval.id)).status, 'rejected');

    await page.getByRole('link', { name: 'Approvals', exact: true }).first().click();
    await page.getByRole('tab', { name: 'Decided' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Not on a Friday' });
    await row.getByText('Rejected').waitFor({ timeout: T });
    await row.getByText((await suite.hub.api.whoami()).name).waitFor();
    await page.getByLabel('Decision').selectOption('approved');
    await page
      .getByRole('row')
      .filter({ hasText: 'Checked the diff, go ahead' })
      .waitFor({ timeout: T });
    assert.equal(await page.getByRole('row').filter({ hasText: 'Not on a Friday' }).count(), 0);
    await screenshotBothThemes(page, 'approvals-decided');
    await assertAccessible(page, 'approvals decided');
    watch.assertClean();
    await page.close();
  });

  it('shows a decision taken elsewhere live, and keeps viewers from deciding', async () => {
    const { run, approval } = await gatedRun('acme/elsewhere');
    const ctx = await suite.viewerContext('e2e-viewer');
    const page = await ctx.newPage();
    const watch = watchPage(page);
    await page.goto(`/approvals/${approval.id}`);
    await page
      .getByRole('note')
      .getByText(/Only tokens with the approver role or above/)
      .waitFor({ timeout: T });
    assert.equal(await page.getByRole('button', { name: 'Approve' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Reject' }).isDisabled(), true);
    await waitLive(page);

    await suite.hub.api.approve(approval.id, { comment: 'approved from the CLI' });
    await page.getByText(/This approval was approved by .+ meanwhile/).waitFor({ timeout: T });
    await page
      .getByRole('region', { name: 'Decision', exact: true })
      .getByText('approved from the CLI')
      .waitFor();
    assert.equal(await suite.hub.waitForRun(run.id), 'succeeded');
    watch.assertClean();
    await ctx.close();
  });
});
