/**
 * The run monitor against a real hub: the runs list (live, filters in the URL, empty state), a
 * run page whose nodes turn green as the run progresses, step logs, a failing step's error on the
 * node and in the panel, re-run from the failed step, cancelling a running run. Screenshots of
 * each state in both themes, and axe checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { e2eSwitches } from './e2e-agent.js';
import { fetchStep, flaky as flakyDoc, gated as gatedDoc, step } from './fixtures.js';
import { assertAccessible, screenshotBothThemes, uiSuite, waitLive, watchPage } from './harness.js';

const T = 20_000;

const gated = gatedDoc({
  name: 'e2e-gated',
  description: 'Waits for an approval, then fetches, analyzes and reports',
  target: 'staging',
  lines: 5,
  level: 'warn',
});

const flaky = flakyDoc({
  description: 'A pipeline whose middle step fails while the suite says so',
  fetch: true,
  note: 'second step',
  report: 'all good',
});

const waiting = {
  name: 'e2e-waiting',
  description: 'A step that waits until it is cancelled',
  nodes: [fetchStep('acme/slow'), step('hold', 'wait', { ms: 600_000 }, 'fetch')],
};

const fanOut = {
  name: 'e2e-fan-out',
  description: 'One report per repository',
  nodes: [
    fetchStep('acme/app'),
    {
      ...step('each', 'report', { text: 'checked {{ item }}' }, 'fetch'),
      forEach: ['api', 'web', 'cli'],
    },
  ],
};

/** Waits until node `id` of the run page shows `status`. */
async function nodeStatus(page: Page, id: string, status: string, timeout = T): Promise<void> {
  await page
    .locator(`[data-testid="run-node-${id}"][data-status="${status}"]`)
    .waitFor({ timeout });
}

describe('run monitor', { timeout: 240_000 }, () => {
  const suite = uiSuite({
    arrange: async (hub) => {
      for (const wf of [gated, flaky, waiting, fanOut]) await hub.api.applyWorkflow(wf);
    },
  });
  /** Starts a run of `workflow` and opens its page (watched for errors). */
  const openRun = async (workflow: string) => {
    const run = await suite.hub.api.startRun({ workflow });
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto(`/runs/${run.id}`);
    return { run, page, watch };
  };

  it('teaches how to start a run while there is none', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/runs');
    await page.getByText('No runs yet').waitFor({ timeout: T });
    await page.getByText('commandcenter run <workflow> --follow').waitFor();
    await assertAccessible(page, 'runs list (empty)');
    watch.assertClean();
    await page.close();
  });

  it('colours the nodes live as the run progresses and streams a step’s logs', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    // The list is open when the run starts: its row appears without a reload.
    await page.goto('/runs');
    await waitLive(page);
    const started = await suite.hub.api.startRun({ workflow: gated.name });
    await page.getByRole('link', { name: new RegExp(`^Run ${started.id.slice(-8)}`) }).click();
    await page.waitForURL(`**/runs/${started.id}`);

    // The gate holds the run: what follows has not run yet.
    await nodeStatus(page, 'gate', 'waiting_approval');
    for (const id of ['fetch', 'analyze', 'report']) await nodeStatus(page, id, 'queued');
    await page.getByTestId('run-node-gate').click();
    await page.getByRole('link', { name: 'Review the approval' }).waitFor({ timeout: T });

    // Approving it (through the API, as another person would) lets the run go on: each node
    // turns green on the open page, fed by the live stream.
    const approval = await suite.hub.pendingApproval(started.id);
    await suite.hub.api.approve(approval.id, { comment: 'go' });
    for (const id of ['gate', 'fetch', 'analyze', 'report'])
      await nodeStatus(page, id, 'succeeded');
    await page.getByRole('heading', { level: 1 }).getByText('Succeeded').waitFor({ timeout: T });

    // A step's panel: resolved input, output, and its log lines.
    await page.getByTestId('run-node-fetch').click();
    const log = page.getByRole('log', { name: 'Logs of fetch' });
    for (let n = 1; n <= 5; n++)
      await log.getByText(`fetch acme/app: line ${n}`).waitFor({ timeout: T });
    await page.getByRole('tab', { name: 'Output' }).click();
    assert.match((await page.getByLabel('Output of fetch').textContent()) ?? '', /"files": 42/);
    await page.getByRole('tab', { name: /Attempts/ }).click();
    await page.getByRole('cell', { name: 'Succeeded' }).first().waitFor();
    await page.getByRole('tab', { name: 'Resolved input' }).click();
    assert.match(
      (await page.getByLabel('Resolved input of fetch').textContent()) ?? '',
      /"repo": "acme\/app"/,
    );

    // The log filter narrows the lines.
    await page.getByLabel('Filter log lines of fetch').fill('line 3');
    await log.getByText('fetch acme/app: line 3').waitFor();
    assert.equal(await log.getByText('fetch acme/app: line 2').count(), 0);
    assert.equal(await page.getByTestId('log-count').textContent(), '1 of 5 lines');
    await page.getByLabel('Filter log lines of fetch').fill('');

    // The timeline has one row per step, each with its attempt's bar.
    const timeline = page.getByRole('table', { name: 'Timeline of attempts' });
    for (const id of ['gate', 'fetch', 'analyze', 'report']) {
      await timeline
        .getByRole('img', { name: new RegExp(`^${id}, attempt 1: Succeeded`) })
        .waitFor();
    }
    // Selecting from the timeline selects the step everywhere.
    await timeline.getByRole('button', { name: 'analyze' }).click();
    await page
      .getByRole('log', { name: 'Logs of analyze' })
      .getByText('analyzing 42 files')
      .waitFor({ timeout: T });
    assert.match(page.url(), /step=analyze/);
    await page.getByTestId('run-node-fetch').click();
    await screenshotBothThemes(page, 'run-succeeded-logs');
    await assertAccessible(page, 'run page (succeeded)');
    watch.assertClean();
    await page.close();
  });

  it('shows a failing step’s error on the node and in the panel, and re-runs from it', async () => {
    e2eSwitches.failFlaky = true;
    const { run, page, watch } = await openRun(flaky.name);
    await nodeStatus(page, 'fetch', 'succeeded');
    await nodeStatus(page, 'check', 'failed');
    await nodeStatus(page, 'report', 'cancelled');
    const message = 'the flaky step failed on purpose';
    await page.getByTestId('run-node-check').getByText(message).waitFor();
    // The failed step is selected on arrival: its error, code and log.
    const error = page.getByRole('region', { name: 'Error of check' });
    await error.getByText(message).waitFor({ timeout: T });
    await error.getByText('CC_E_AGENT_ERROR').waitFor();
    await page
      .getByRole('log', { name: 'Logs of check' })
      .getByText('flaky: failing as asked')
      .waitFor({ timeout: T });
    await page.getByRole('button', { name: 'Cancel run' }).waitFor({ state: 'detached' });
    await screenshotBothThemes(page, 'run-failed');
    await assertAccessible(page, 'run page (failed)');

    // Fixed: re-run from the failed step, from the UI; the new run's page opens and goes green.
    e2eSwitches.failFlaky = false;
    await page.getByRole('button', { name: 'Re-run from failed step' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-run from failed step?' });
    await dialog.getByRole('button', { name: 'Re-run from failed step' }).click();
    await page.waitForURL(
      (url) => /\/runs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(run.id),
      {
        timeout: T,
      },
    );
    const newId = page.url().split('/runs/')[1]!.split('?')[0]!;
    for (const id of ['fetch', 'check', 'report']) await nodeStatus(page, id, 'succeeded');
    await page.getByText('Re-run started').waitFor();
    await page.getByRole('link', { name: run.id.slice(-8) }).waitFor();
    const rerun = await suite.hub.api.getRun(newId);
    assert.equal(rerun.rerunOf, run.id);
    assert.equal(rerun.status, 'succeeded');
    // The step that had succeeded was reused, not run again.
    assert.equal(rerun.steps.find((s) => s.key === 'fetch')?.attempts.length, 0);
    watch.assertClean();
    await page.close();
  });

  it('cancels a running run', async () => {
    const { run, page, watch } = await openRun(waiting.name);
    await nodeStatus(page, 'hold', 'running');
    await page
      .getByRole('log', { name: 'Logs of the run' })
      .getByText('waiting up to 600000 ms')
      .waitFor({ timeout: T });
    // The running attempt is a bar on the timeline (it grows until the attempt ends).
    await page
      .getByRole('table', { name: 'Timeline of attempts' })
      .getByRole('img', { name: /^hold, attempt 1: Running, .* so far$/ })
      .waitFor({ timeout: T });
    await screenshotBothThemes(page, 'run-running');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page
      .getByRole('dialog', { name: 'Cancel run?' })
      .getByRole('button', { name: 'Cancel run' })
      .click();
    await page.getByText('Run cancelled').waitFor({ timeout: T });
    await page.getByRole('heading', { level: 1 }).getByText('Cancelled').waitFor({ timeout: T });
    await page
      .locator('[data-testid="run-node-hold"]:not([data-status="running"])')
      .waitFor({ timeout: T });
    assert.equal((await suite.hub.api.getRun(run.id)).status, 'cancelled');
    await page.getByRole('button', { name: 'Re-run from scratch' }).waitFor();
    watch.assertClean();
    await page.close();
  });

  it('shows a forEach node’s items as a count and lists them in the panel', async () => {
    const { page, watch } = await openRun(fanOut.name);
    await nodeStatus(page, 'each', 'succeeded');
    await page.getByTestId('run-node-each').getByText('3/3 items').waitFor({ timeout: T });
    await page.getByTestId('run-node-each').click();
    await page.getByText('3 forEach items').waitFor();
    // The node's log gathers its items' lines; an item opens on its own.
    const log = page.getByRole('log', { name: 'Logs of each' });
    for (const item of ['api', 'web', 'cli'])
      await log.getByText(`report: checked ${item}`).waitFor({ timeout: T });
    await page.getByRole('button', { name: 'each[1]' }).first().click();
    await page.getByRole('heading', { name: 'Step each[1]' }).waitFor();
    await page
      .getByRole('log', { name: 'Logs of each' })
      .getByText('report: checked web')
      .waitFor({ timeout: T });
    assert.equal(
      await page
        .getByRole('log', { name: 'Logs of each' })
        .getByText('report: checked api')
        .count(),
      0,
    );
    // Keyboard: a focused node is selected with Enter.
    await page.getByRole('group', { name: /^Step fetch / }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Step fetch' }).waitFor({ timeout: T });
    watch.assertClean();
    await page.close();
  });

  it('filters the runs list by workflow, status and trigger, kept in the URL', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/runs');
    const rows = page.locator('table.runs-table tbody tr');
    await rows.first().waitFor({ timeout: T });
    // gated (succeeded), flaky (failed), its re-run (succeeded), waiting (cancelled), fan-out.
    assert.equal(await rows.count(), 5);

    await page.getByLabel('Workflow').selectOption(flaky.name);
    await page.waitForURL(/workflow=e2e-flaky/);
    await page.waitForFunction(
      () => document.querySelectorAll('table.runs-table tbody tr').length === 2,
    );
    await page.getByLabel('Status').selectOption('failed');
    await page.waitForFunction(
      () => document.querySelectorAll('table.runs-table tbody tr').length === 1,
    );
    assert.match((await rows.first().textContent()) ?? '', /Failed/);

    // Filters survive a reload (they live in the URL).
    await page.reload();
    await page.waitForFunction(
      () => document.querySelectorAll('table.runs-table tbody tr').length === 1,
    );
    assert.equal(await page.getByLabel('Status').inputValue(), 'failed');

    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.getByLabel('Trigger').selectOption('rerun');
    await page.waitForFunction(
      () => document.querySelectorAll('table.runs-table tbody tr').length === 1,
    );
    assert.match((await rows.first().textContent()) ?? '', /Re-run from failed step/);
    // The re-run links to the run it re-ran.
    await rows
      .first()
      .getByRole('link', { name: /^Original run/ })
      .waitFor();

    await page.getByLabel('Status').selectOption('timed_out');
    await page.getByText('No run matches these filters').waitFor({ timeout: T });
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.waitForFunction(
      () => document.querySelectorAll('table.runs-table tbody tr').length === 5,
    );
    assert.equal(new URL(page.url()).search, '');
    await screenshotBothThemes(page, 'runs-list');
    await assertAccessible(page, 'runs list');
    watch.assertClean();
    await page.close();
  });

  it('pages through older runs with "Load more"', async () => {
    const before = (await suite.hub.api.listRuns({ limit: 500 })).items.length;
    // 50 more runs: the first page (50) no longer holds them all.
    for (let n = 0; n < 10; n++) {
      await Promise.all(
        Array.from({ length: 5 }, () => suite.hub.api.startRun({ workflow: fanOut.name })),
      );
    }
    const total = before + 50;
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/runs');
    const count = () => page.locator('table.runs-table tbody tr').count();
    await page.getByRole('button', { name: 'Load more' }).waitFor({ timeout: T });
    assert.equal(await count(), 50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText(`${total} runs`).waitFor({ timeout: T });
    assert.equal(await count(), total);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
    watch.assertClean();
    await page.close();
  });
});
