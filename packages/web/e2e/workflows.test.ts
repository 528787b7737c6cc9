/**
 * The workflows list against a real hub: each workflow's last run, success rate and durations
 * from real runs; search and filters kept in the URL; run with an input, duplicate under a new
 * name, archive and restore — each checked through the API; a viewer sees the actions disabled
 * with the reason. Screenshots in both themes, axe checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { e2eSwitches } from './e2e-agent.js';
import { flaky as flakyDoc, pipeline as pipelineDoc, single } from './fixtures.js';
import { assertAccessible, screenshotBothThemes, uiSuite, waitLive, watchPage } from './harness.js';

const T = 20_000;

const pipeline = pipelineDoc({
  name: 'e2e-pipeline',
  description: 'Fetches a repository and counts its findings',
  inputs: {
    type: 'object',
    properties: { repo: { type: 'string', default: 'acme/app' } },
    required: ['repo'],
  },
  triggers: [{ cron: '0 3 * * *' }],
  repo: '{{ input.repo }}',
});
const flaky = flakyDoc({ description: 'Fails while the suite says so' });
const idle = single(
  { name: 'e2e-idle', description: 'Never started: shows how a fresh workflow looks' },
  'hi',
  'say',
);

/** The table row of workflow `name`. */
const row = (page: Page, name: string) =>
  page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

describe('workflows list', { timeout: 180_000 }, () => {
  const suite = uiSuite({
    arrange: async (hub) => {
      for (const wf of [pipeline, flaky, idle]) await hub.api.applyWorkflow(wf);
      for (const repo of ['acme/a', 'acme/b', 'acme/c'])
        assert.equal(await hub.runToEnd(pipeline.name, { repo }), 'succeeded');
      assert.equal(await hub.runToEnd(flaky.name), 'succeeded');
      e2eSwitches.failFlaky = true;
      assert.equal(await hub.runToEnd(flaky.name), 'failed');
      e2eSwitches.failFlaky = false;
    },
  });

  it('shows each workflow’s last run, success rate and recent durations; search and filters', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/workflows');
    const p = row(page, pipeline.name);
    await p.waitFor({ timeout: T });
    await p.getByRole('link', { name: 'Last run of e2e-pipeline: Succeeded' }).waitFor();
    await p.getByText('100 %').waitFor();
    await p.getByText('of 3 runs').waitFor();
    await p.getByRole('img', { name: /^Durations of the last 3 runs of e2e-pipeline/ }).waitFor();
    const f = row(page, flaky.name);
    await f.getByRole('link', { name: 'Last run of e2e-flaky: Failed' }).waitFor();
    await f.getByText('50 %').waitFor();
    await row(page, idle.name).getByText('Never run').waitFor();

    await screenshotBothThemes(page, 'workflows');
    await assertAccessible(page, 'workflows list');

    // Search by description; the filter is in the URL. (The hub also applied the examples.)
    const listed = (await suite.hub.api.listWorkflows()).items;
    const total = listed.length;
    const shown = async (n: number) => {
      await page.getByText(`${n} of ${total} workflows`).waitFor({ timeout: T });
      assert.equal(await page.locator('tbody tr').count(), n);
    };
    const search = page.getByRole('searchbox', { name: 'Search workflows' });
    await search.fill('findings');
    await page.waitForURL('**/workflows?q=findings');
    await shown(1);
    await row(page, pipeline.name).waitFor();
    await search.fill('E2E-');
    await shown(3);
    await search.fill('');

    // The last run's status; "never run" for workflows without runs.
    const lastRun = page.getByLabel('Last run', { exact: true });
    await lastRun.selectOption('failed');
    await shown(1);
    await row(page, flaky.name).waitFor();
    await lastRun.selectOption('never');
    await shown(listed.filter((w) => w.stats.lastRun === null).length);
    await row(page, idle.name).waitFor();
    assert.equal(await row(page, pipeline.name).count(), 0);
    await search.fill('nothing-like-this');
    await page.getByText('No workflow matches these filters').waitFor();
    await page.getByRole('button', { name: 'Clear the filters' }).click();
    await shown(total);
    watch.assertClean();
    await page.close();
  });

  it('runs a workflow with a JSON input and opens the run; the row follows live', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/workflows');
    await waitLive(page);
    await page.getByRole('button', { name: `Run ${pipeline.name}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Run ${pipeline.name}` });
    const input = dialog.getByLabel('Input (JSON)');
    // Prefilled from the inputs schema's defaults.
    assert.deepEqual(JSON.parse(await input.inputValue()), { repo: 'acme/app' });
    await input.fill('{ "repo": ');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await dialog.getByText(/The input is not valid JSON/).waitFor();
    // The hub checks the input against the schema: its problem lands in the dialog.
    await input.fill('{ "repo": 42 }');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'repo' }).waitFor({ timeout: T });
    await screenshotBothThemes(page, 'workflows-run-dialog');
    await input.fill('{ "repo": "acme/from-ui" }');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: T });
    const id = page.url().split('/').at(-1)!;
    const started = await suite.hub.api.getRun(id);
    assert.equal(started.workflow, pipeline.name);
    assert.deepEqual(started.input, { repo: 'acme/from-ui' });
    assert.equal(await suite.hub.waitForRun(id), 'succeeded');

    await page.goto('/workflows');
    await row(page, pipeline.name).getByText('of 4 runs').waitFor({ timeout: T });
    // A 422 (the bad input) was expected; nothing else.
    assert.deepEqual(
      watch.problems.filter((p) => !/POST .*\/api\/v1\/runs.* → 422/.test(p)),
      [],
    );
    await page.close();
  });

  it('duplicates a workflow under a new name, without its triggers', async () => {
    const page = await suite.context.newPage();
    await page.goto('/workflows');
    await page.getByRole('button', { name: `Duplicate ${pipeline.name}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Duplicate ${pipeline.name}` });
    const name = dialog.getByLabel('New name');
    assert.equal(await name.inputValue(), 'e2e-pipeline-copy');
    await name.fill(flaky.name);
    await dialog.getByText('A workflow named e2e-flaky exists already.').waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Duplicate' }).isDisabled(), true);
    await name.fill('e2e-pipeline-nightly');
    await dialog.getByRole('button', { name: 'Duplicate' }).click();
    await page.waitForURL('**/workflows/e2e-pipeline-nightly', { timeout: T });
    const copy = await suite.hub.api.getWorkflow('e2e-pipeline-nightly');
    const original = await suite.hub.api.getWorkflow(pipeline.name);
    assert.equal(copy.latestVersion, 1);
    assert.deepEqual(copy.definition.nodes, original.definition.nodes);
    assert.deepEqual(copy.definition.triggers, []);
    assert.equal(original.definition.triggers.length, 1);
    await page.close();
  });

  it('archives a workflow after a confirmation, and restores it', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page);
    await page.goto('/workflows');
    await page.getByRole('button', { name: `Archive ${idle.name}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Archive ${idle.name}?` });
    await dialog.getByText('its triggers stop firing').waitFor();
    await assertAccessible(page, 'archive confirmation');
    await dialog.getByRole('button', { name: 'Archive' }).click();
    await page.getByText(`Archived ${idle.name}`).waitFor({ timeout: T });
    await row(page, idle.name).waitFor({ state: 'detached', timeout: T });
    const listed = await suite.hub.api.listWorkflows({ archived: true });
    assert.equal(listed.items.find((w) => w.name === idle.name)?.archived, true);

    await page.getByLabel(/Show archived/).click();
    await page.waitForURL('**/workflows?archived=1');
    await row(page, idle.name).getByText('Archived').waitFor();
    await page.getByRole('button', { name: `Restore ${idle.name}`, exact: true }).click();
    await page.getByText(`Restored ${idle.name}`).waitFor({ timeout: T });
    await row(page, idle.name)
      .getByRole('button', { name: `Run ${idle.name}`, exact: true })
      .waitFor({ timeout: T });
    const after = await suite.hub.api.listWorkflows();
    assert.ok(after.items.some((w) => w.name === idle.name && !w.archived));
    watch.assertClean();
    await page.close();
  });

  it('tells a viewer why the actions are disabled', async () => {
    const ctx = await suite.viewerContext('e2e-viewer');
    const page = await ctx.newPage();
    const watch = watchPage(page);
    await page.goto('/workflows');
    await page
      .getByRole('note')
      .getByText(/Only tokens with the operator role or above/)
      .waitFor({ timeout: T });
    assert.equal(
      await page.getByRole('button', { name: `Run ${pipeline.name}`, exact: true }).isDisabled(),
      true,
    );
    assert.equal(await page.getByRole('button', { name: 'New workflow' }).isDisabled(), true);
    await assertAccessible(page, 'workflows list (viewer)');
    watch.assertClean();
    await ctx.close();
  });
});
