/**
 * The overview against a real hub: the empty state of a fresh hub turning into charts live when
 * the first run happens, then charts, totals and top failing lists over real successes and
 * failures, the window selector, links into the runs list. Screenshots in both themes, axe checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e2eSwitches } from './e2e-agent.js';
import { flaky as flakyDoc, gateStep, pipeline as pipelineDoc } from './fixtures.js';
import { assertAccessible, screenshotBothThemes, uiSuite, waitLive, watchPage } from './harness.js';

const T = 20_000;

const pipeline = pipelineDoc({
  name: 'e2e-pipeline',
  description: 'Fetches, analyzes and reports',
});
const flaky = flakyDoc({ description: 'Fails while the suite says so', fetch: true });

describe('overview', { timeout: 180_000 }, () => {
  const suite = uiSuite({
    arrange: async (hub) => {
      for (const wf of [pipeline, flaky]) await hub.api.applyWorkflow(wf);
    },
  });
  /** Starts a run of `workflow` and waits until it ends; returns its final status. */
  const run = (workflow: string) => suite.hub.runToEnd(workflow);

  it('teaches what to do on a fresh hub, and fills in live when the first run happens', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/');
    await page.waitForURL('**/overview');
    await page.getByText('No runs in the last hour').waitFor({ timeout: T });
    await page.getByText('commandcenter run hello --wait').waitFor();
    await assertAccessible(page, 'overview (empty)');
    await waitLive(page);

    // No reload: the live feed invalidates the overview when the run is created and ends.
    assert.equal(await run(pipeline.name), 'succeeded');
    await page
      .getByRole('img', {
        name: /^Runs per minute by status over the last hour: 1 run \(1 succeeded\)/,
      })
      .waitFor({ timeout: T });
    assert.equal(await page.getByText('No runs in the last hour').count(), 0);
    watch.assertClean();
    await page.close();
  });

  it('charts successes and failures, lists what fails most and links to it', async () => {
    for (let i = 0; i < 3; i++) assert.equal(await run(pipeline.name), 'succeeded');
    e2eSwitches.failFlaky = true;
    for (let i = 0; i < 3; i++) assert.equal(await run(flaky.name), 'failed');
    e2eSwitches.failFlaky = false;
    assert.equal(await run(flaky.name), 'succeeded');
    // A run left waiting for an approval: the pending count and "running".
    await suite.hub.api.applyWorkflow({ name: 'e2e-gate', nodes: [gateStep('prod')] });
    await suite.hub.api.startRun({ workflow: 'e2e-gate' });

    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/overview');
    const totals = page.getByRole('region', { name: 'Totals' });
    // 1 + 3 pipeline runs, 4 flaky runs, 1 waiting: 9 runs; 5 of 8 finished succeeded.
    await totals.getByText('9', { exact: true }).waitFor({ timeout: T });
    await totals.getByText('62.5 %').waitFor();
    await totals.getByRole('link', { name: 'Review approvals' }).waitFor({ timeout: T });

    const runs = page.getByRole('img', { name: /^Runs per minute by status/ });
    await runs.waitFor();
    assert.match(
      (await runs.getAttribute('aria-label')) ?? '',
      /9 runs \(5 succeeded, 3 failed, 1 running\)/,
    );
    const durations = page.getByRole('img', { name: /^Run duration percentiles/ });
    assert.match((await durations.getAttribute('aria-label')) ?? '', /p50 between .+ highest p99/);
    // The table alternatives carry the same numbers.
    const table = page.getByRole('table', { name: /Runs per minute by status/ });
    assert.ok((await table.getByRole('row').count()) >= 2, 'a header row and at least one period');
    // The canvases were drawn (uPlot sizes them to the card).
    const width = await runs
      .locator('canvas')
      .first()
      .evaluate((c) => (c as HTMLCanvasElement).width);
    assert.ok(width > 200, `the runs chart is drawn (canvas width ${width})`);

    const workflows = page.getByRole('region', { name: 'Top failing workflows' });
    const flakyRow = workflows.getByRole('row').filter({ hasText: 'e2e-flaky' });
    await flakyRow.waitFor();
    assert.deepEqual((await flakyRow.getByRole('cell').allTextContents()).slice(1, 4), [
      '3',
      '4',
      '75 %',
    ]);
    const agents = page.getByRole('region', { name: 'Top failing agent actions' });
    await agents
      .getByRole('row')
      .filter({ hasText: 'e2e.flaky' })
      .getByText('3', { exact: true })
      .waitFor();

    await screenshotBothThemes(page, 'overview');
    await assertAccessible(page, 'overview');
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    await assertAccessible(page, 'overview (dark)');
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));

    // The window selector: a day in quarter hours, kept in the URL.
    // click, not check(): a live refresh may re-render the control between the click and
    // Playwright's read-back of its state; the URL is the observable outcome.
    await page.getByRole('radio', { name: '24h' }).click();
    await page.waitForURL('**/overview?window=24h');
    await page.getByRole('heading', { name: 'Runs per 15 minutes' }).waitFor({ timeout: T });
    await page.getByRole('img', { name: /over the last 24 hours: 9 runs/ }).waitFor();

    // The top failing workflow leads to its failed runs.
    await workflows.getByRole('link', { name: 'e2e-flaky' }).click();
    await page.waitForURL(
      (u) => u.pathname === '/runs' && u.searchParams.get('workflow') === 'e2e-flaky',
    );
    assert.equal(new URL(page.url()).searchParams.get('status'), 'failed');
    watch.assertClean();
    await page.close();
  });
});
