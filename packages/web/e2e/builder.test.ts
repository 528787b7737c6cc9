/**
 * The workflow builder against a real hub: a 3-node workflow built by drag and drop, connected
 * by its handles, configured through the schema form (a template typed with the completion),
 * saved (checked through the API) and run (its nodes turn green on the run page); YAML edits on
 * the canvas and back, with parse errors; undo/redo and keyboard deletion; validation problems
 * on the right node and field; version history with a diff; a 200-node workflow. Screenshots of
 * each state in both themes, and axe checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import {
  addNode,
  connect,
  deriveNodeId,
  removeNodes,
  renameNode,
  type Doc,
} from '../src/pages/builder/model.js';
import { locateProblems } from '../src/pages/builder/problems.js';
import { acceptSuggestion, templateContext } from '../src/pages/builder/templates.js';
import { pipeline as pipelineDoc, step } from './fixtures.js';
import { assertAccessible, screenshotBothThemes, uiSuite, waitLive, watchPage } from './harness.js';

const T = 20_000;

/** Validation answers 422 for an invalid draft (and a refused save): expected while editing. */
const invalidDraftsAllowed = (url: string, status: number) =>
  status === 422 && /\/api\/v1\/workflows(\/validate)?(\?|$)/.test(url);

/** The 3-node pipeline the builder test draws, as a document (for the suites that start from it). */
const pipeline = (name: string) => pipelineDoc({ name, triggers: [{ manual: {} }], report: true });

const node = (page: Page, id: string) => page.getByTestId(`builder-node-${id}`);
const paletteItem = (page: Page, key: string) =>
  page.getByRole('button', { name: key, exact: true });

async function openBuilder(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await page.getByRole('tab', { name: 'Canvas' }).waitFor({ timeout: T });
  await paletteItem(page, 'e2e.fetch').waitFor({ timeout: T });
  await waitLive(page);
}

/** Drags a palette action onto the canvas pane at (x, y) of the pane (HTML5 drag and drop). */
async function dropAction(page: Page, key: string, x: number, y: number): Promise<void> {
  await paletteItem(page, key).dragTo(page.locator('.react-flow__pane'), {
    targetPosition: { x, y },
  });
}

/** Connects the source handle (right) of one node card to the target handle (left) of another. */
async function connectHandles(page: Page, from: string, to: string): Promise<void> {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`);
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  const a = (await source.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Selects a node by clicking its card (on its id, away from the handles). */
async function selectNode(page: Page, id: string): Promise<Locator> {
  await node(page, id).locator('.bf-card-id').click();
  const panel = page.getByRole('region', { name: `Node ${id}` });
  await panel.waitFor({ timeout: T });
  return panel;
}

/** Clicks an empty corner of the canvas (deselects: the workflow panel shows). */
async function clickEmptyCanvas(page: Page): Promise<void> {
  const pane = page.locator('.react-flow__pane');
  const box = (await pane.boundingBox())!;
  await pane.click({ position: { x: box.width - 24, y: 12 } });
}

async function dismissToasts(page: Page): Promise<void> {
  const close = page.getByRole('button', { name: 'Dismiss notification' });
  for (let n = await close.count(); n > 0; n--) await close.first().click();
}

async function validated(page: Page, summary: RegExp): Promise<void> {
  await page
    .getByRole('region', { name: 'Validation' })
    .getByRole('status')
    .filter({ hasText: summary })
    .waitFor({ timeout: T });
}

/** The YAML editor's text (CodeMirror renders only what is visible; ours is short). */
const yamlText = (page: Page) => page.locator('.cm-content').innerText();

/** Replaces the YAML editor's text as one input (no auto-indentation while "typing"). */
async function replaceYaml(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

describe('builder model (no browser)', () => {
  const doc: Doc = pipeline('model');

  it('derives valid, unused node ids from action names', () => {
    assert.equal(deriveNodeId('fetch', ['analyze']), 'fetch');
    assert.equal(deriveNodeId('fetch', ['fetch', 'fetch_2']), 'fetch_3');
    assert.equal(deriveNodeId('send-email', []), 'send_email');
    assert.equal(deriveNodeId('2fa', []), '_2fa');
    const added = addNode(doc, 'e2e', 'fetch', { x: 10.4, y: 20.6 });
    assert.equal(added.id, 'fetch_2');
    assert.deepEqual(added.doc.ui?.positions?.fetch_2, { x: 10, y: 21 });
  });

  it('connects nodes, refusing self-loops, duplicates and cycles', () => {
    assert.equal(connect(doc, 'fetch', 'fetch').ok, false);
    assert.equal(connect(doc, 'fetch', 'analyze').ok, false);
    const cycle = connect(doc, 'report', 'fetch');
    assert.ok(!cycle.ok && /cycle/.test(cycle.reason));
    const ok = connect(doc, 'fetch', 'report');
    assert.ok(ok.ok);
    assert.deepEqual(ok.doc.nodes[2]!.dependsOn, ['analyze', 'fetch']);
  });

  it('renames a node with its references and removes a node with its edges', () => {
    const renamed = renameNode(doc, 'analyze', 'check');
    assert.deepEqual(renamed.nodes[1]!.id, 'check');
    assert.deepEqual(renamed.nodes[2]!.dependsOn, ['check']);
    assert.deepEqual(renamed.nodes[2]!.inputs, { text: '{{ nodes.check.output.summary }}' });
    const removed = removeNodes(renamed, ['check']);
    assert.deepEqual(
      removed.nodes.map((n) => n.id),
      ['fetch', 'report'],
    );
    assert.equal(removed.nodes[1]!.dependsOn, undefined);
  });

  it('maps problem paths to node ids and fields', () => {
    const located = locateProblems(doc, [
      { code: 'CC_E_TEMPLATE_NOT_UPSTREAM', path: 'nodes[1].inputs.files', message: 'm', fix: 'f' },
      {
        code: 'CC_E_WORKFLOW_UNKNOWN_DEPENDENCY',
        path: 'nodes[2].dependsOn[0]',
        message: 'm',
        fix: 'f',
      },
      { code: 'CC_E_WORKFLOW_NAME', path: 'name', message: 'm', fix: 'f' },
    ]);
    assert.deepEqual(
      located.byNode.get('analyze')?.map((l) => l.field),
      ['inputs.files'],
    );
    assert.deepEqual(
      located.byNode.get('report')?.map((l) => l.field),
      ['dependsOn[0]'],
    );
    assert.deepEqual(
      located.workflow.map((l) => l.field),
      ['name'],
    );
  });

  it('completes the template expression being typed', () => {
    assert.equal(templateContext('plain text', 5), undefined);
    assert.equal(templateContext('{{ a }} b', 9), undefined);
    assert.deepEqual(templateContext('{{ nodes.fe', 11), { start: 3, token: 'nodes.fe' });
    assert.deepEqual(acceptSuggestion('{{ nodes.fe', 11, 3, 'nodes.fetch.output'), {
      text: '{{ nodes.fetch.output }}',
      caret: 24,
    });
    assert.deepEqual(acceptSuggestion('x {{in}} y', 6, 4, 'input.repo'), {
      text: 'x {{ input.repo }} y',
      caret: 15,
    });
  });
});

describe('workflow builder', { timeout: 300_000 }, () => {
  const suite = uiSuite();

  it('builds a 3-node workflow by drag and drop, configures it, saves it and runs it', async () => {
    await suite.hub.api.setSecret('REPO_TOKEN', 'not-a-real-token');
    const inputSchema = {
      type: 'object',
      properties: { repo: { type: 'string', default: 'acme/app' } },
    };
    const page = await suite.context.newPage();
    const watch = watchPage(page, invalidDraftsAllowed);
    await openBuilder(page, '/workflows/new');
    await page.getByText('Drag an action from the palette onto the canvas').waitFor();
    await screenshotBothThemes(page, 'builder-empty');

    await dropAction(page, 'e2e.fetch', 130, 90);
    await node(page, 'fetch').waitFor({ timeout: T });
    await dropAction(page, 'e2e.analyze', 130, 260);
    await node(page, 'analyze').waitFor({ timeout: T });
    await dropAction(page, 'e2e.report', 390, 260);
    await node(page, 'report').waitFor({ timeout: T });
    // A second fetch gets a derived id; Delete removes the selected node.
    await paletteItem(page, 'e2e.fetch').focus();
    await page.keyboard.press('Enter');
    await node(page, 'fetch_2').waitFor({ timeout: T });
    await selectNode(page, 'fetch_2');
    await page.keyboard.press('Delete');
    await node(page, 'fetch_2').waitFor({ state: 'detached', timeout: T });

    await connectHandles(page, 'fetch', 'analyze');
    await connectHandles(page, 'analyze', 'report');
    // (an edge between two cards at the same height is a flat line: attached, not "visible")
    await page.locator('.react-flow__edge').nth(1).waitFor({ state: 'attached', timeout: T });
    assert.equal(await page.locator('.react-flow__edge').count(), 2);
    // A connection back from report to fetch would be a cycle: refused with a toast.
    await connectHandles(page, 'report', 'fetch');
    await page.getByText(/this would make a cycle/).waitFor({ timeout: T });
    assert.equal(await page.locator('.react-flow__edge').count(), 2);

    // Workflow settings: the name, the run input's schema and a manual trigger.
    await clickEmptyCanvas(page);
    const settings = page.getByRole('region', { name: 'Workflow settings' });
    await settings.getByLabel('Name').fill('e2e-built');
    await settings.getByLabel('Run input schema').fill(JSON.stringify(inputSchema));
    await settings.getByLabel('Kind of trigger to add').selectOption('manual');
    await settings.getByRole('button', { name: 'Add trigger' }).click();

    // The schema form: templates typed with the completion (input.*, nodes.*), a number, an enum.
    let panel = await selectNode(page, 'fetch');
    const repo = panel.getByRole('combobox', { name: 'repo' });
    await repo.pressSequentially('{{ inp');
    await page.getByRole('option', { name: /^input\.repo/ }).click();
    assert.equal(await repo.inputValue(), '{{ input.repo }}');
    await panel.getByRole('combobox', { name: 'depth' }).fill('2');
    panel = await selectNode(page, 'analyze');
    assert.equal(await panel.getByRole('checkbox', { name: 'fetch' }).isChecked(), true);
    const files = panel.getByRole('combobox', { name: 'files' });
    await files.click();
    await files.pressSequentially('{{ nodes.fetch.output.fi');
    const option = page.getByRole('option', { name: /nodes\.fetch\.output\.files/ });
    await option.waitFor({ timeout: T });
    assert.equal(await files.getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('Enter');
    assert.equal(await files.inputValue(), '{{ nodes.fetch.output.files }}');
    assert.equal(await files.getAttribute('aria-expanded'), 'false');
    await panel.getByLabel('level', { exact: true }).selectOption('warn');
    await panel.getByLabel('Attempts').fill('3');
    // Only upstream nodes are offered: report's output is not a completion of analyze.
    await files.press('End');
    await files.pressSequentially(' {{ nodes.');
    const completions = page
      .getByRole('listbox', { name: 'Template completions' })
      .getByRole('option');
    await completions.first().waitFor({ timeout: T });
    const offered = await completions.allInnerTexts();
    assert.ok(
      offered.some((o) => o.includes('nodes.fetch.output')),
      offered.join(', '),
    );
    assert.ok(!offered.some((o) => o.includes('nodes.report')), offered.join(', '));
    await page.keyboard.press('Escape');
    await files.fill('{{ nodes.fetch.output.files }}');
    panel = await selectNode(page, 'report');
    const text = panel.getByRole('combobox', { name: 'text' });
    await text.pressSequentially('{{ secr');
    await page.getByRole('option', { name: /^secrets\.REPO_TOKEN/ }).waitFor({ timeout: T });
    await text.press('Escape');
    await text.fill('{{ nodes.analyze.output.summary }}');
    await node(page, 'analyze').getByText('retry ×3').waitFor();
    await validated(page, /^Valid/);
    await page.getByRole('button', { name: 'Tidy up' }).click();
    await dismissToasts(page);
    await clickEmptyCanvas(page);
    await screenshotBothThemes(page, 'builder-workflow');
    await assertAccessible(page, 'the builder');
    await selectNode(page, 'analyze');
    await screenshotBothThemes(page, 'builder-node-panel');
    await assertAccessible(page, 'the builder with the node panel');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved version 1').waitFor({ timeout: T });
    await page.waitForURL('**/workflows/e2e-built', { timeout: T });
    const saved = await suite.hub.api.getWorkflow('e2e-built');
    assert.equal(saved.latestVersion, 1);
    const byId = Object.fromEntries(saved.source.nodes.map((n) => [n.id, n]));
    assert.deepEqual(Object.keys(byId).sort(), ['analyze', 'fetch', 'report']);
    assert.deepEqual(saved.source.inputs, inputSchema);
    assert.deepEqual(byId.fetch!.inputs, { repo: '{{ input.repo }}', depth: 2 });
    assert.deepEqual(byId.analyze!.dependsOn, ['fetch']);
    assert.deepEqual(byId.analyze!.inputs, {
      files: '{{ nodes.fetch.output.files }}',
      level: 'warn',
    });
    assert.deepEqual(byId.analyze!.retry, { attempts: 3 });
    assert.deepEqual(byId.report!.dependsOn, ['analyze']);
    assert.deepEqual(saved.source.triggers, [{ manual: {} }]);
    assert.deepEqual(Object.keys(saved.source.ui?.positions ?? {}).sort(), [
      'analyze',
      'fetch',
      'report',
    ]);

    // Saving again without a change makes no version.
    await node(page, 'fetch').waitFor({ timeout: T });
    await page.keyboard.press('ControlOrMeta+S');
    await page.getByText(/No changes/).waitFor({ timeout: T });

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Run e2e-built' });
    // Prefilled from the inputs schema's defaults.
    const input = JSON.parse(await dialog.getByLabel('Run input (JSON)').inputValue()) as unknown;
    assert.deepEqual(input, { repo: 'acme/app' });
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: T });
    const runId = page.url().split('/').pop()!;
    for (const id of ['fetch', 'analyze', 'report']) {
      await page
        .locator(`[data-testid="run-node-${id}"][data-status="succeeded"]`)
        .waitFor({ timeout: T });
    }
    const run = await suite.hub.api.getRun(runId);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.workflow, 'e2e-built');
    assert.deepEqual(run.input, { repo: 'acme/app' });
    watch.assertClean();
    await page.close();
  });

  it('edits YAML onto the canvas and the canvas into the YAML, with undo and redo', async () => {
    await suite.hub.api.applyWorkflow(pipeline('e2e-yaml'));
    const page = await suite.context.newPage();
    const watch = watchPage(page, invalidDraftsAllowed);
    await openBuilder(page, '/workflows/e2e-yaml');
    await node(page, 'report').waitFor({ timeout: T });

    await page.getByRole('tab', { name: 'YAML' }).click();
    const before = await yamlText(page);
    assert.match(before, /name: e2e-yaml/);
    assert.match(before, /id: analyze/);
    const edited = `${before.trimEnd()}\n${[
      '  - id: notify',
      '    agent: e2e',
      '    action: report',
      '    dependsOn: [ report ]',
      "    inputs: { text: 'done' }",
    ].join('\n')}\n`;
    assert.notEqual(edited, before);
    await replaceYaml(page, edited);
    await page.getByRole('tab', { name: 'Canvas' }).click();
    await node(page, 'notify').waitFor({ timeout: T });
    // React Flow draws an edge once both its cards are measured: a frame after the card.
    await page.locator('.react-flow__edge').nth(2).waitFor({ state: 'attached', timeout: T });
    assert.equal(await page.locator('.react-flow__edge').count(), 3);
    await page.getByText('Unsaved changes').waitFor();

    // A canvas edit (renaming through the panel) shows in the YAML, references included.
    const panel = await selectNode(page, 'notify');
    const id = panel.getByLabel('Id');
    await id.fill('notify_all');
    await id.press('Enter');
    await node(page, 'notify_all').waitFor({ timeout: T });
    await page.getByRole('tab', { name: 'YAML' }).click();
    assert.match(await yamlText(page), /id: notify_all/);

    // Text that does not parse stays, with its position; the canvas keeps the last valid document.
    await page.locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.insertText('\nnodes: [');
    await page.getByText(/Line \d+, column \d+: The YAML does not parse/).waitFor({ timeout: T });
    assert.match(await yamlText(page), /nodes: \[/);
    await screenshotBothThemes(page, 'builder-yaml');
    await assertAccessible(page, 'the YAML tab');
    await page.keyboard.press('ControlOrMeta+Z'); // CodeMirror's own undo
    await page.getByText(/Edits here update the canvas/).waitFor({ timeout: T });
    await page.getByRole('tab', { name: 'Canvas' }).click();
    await node(page, 'notify_all').waitFor({ timeout: T });

    // Undo/redo of the document (buttons and keys), and Delete on a selected node.
    await page.getByRole('button', { name: 'Undo' }).click();
    await node(page, 'notify').waitFor({ timeout: T });
    await page.keyboard.press('ControlOrMeta+Shift+Z');
    await node(page, 'notify_all').waitFor({ timeout: T });
    await selectNode(page, 'notify_all');
    await page.keyboard.press('Delete');
    await node(page, 'notify_all').waitFor({ state: 'detached', timeout: T });
    assert.equal(await page.locator('.react-flow__edge').count(), 2);
    await page.keyboard.press('ControlOrMeta+Z');
    await node(page, 'notify_all').waitFor({ timeout: T });
    await page.locator('.react-flow__edge').nth(2).waitFor({ state: 'attached', timeout: T });
    assert.equal(await page.locator('.react-flow__edge').count(), 3);

    // The shortcuts help, and tidy up with L.
    await clickEmptyCanvas(page);
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor({ timeout: T });
    await assertAccessible(page, 'the shortcuts dialog');
    await help.getByRole('button', { name: 'Close' }).click();
    await page.keyboard.press('l');
    await page.getByText('Unsaved changes').waitFor();

    // Leaving with unsaved changes asks first.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Workflows' })
      .click();
    const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
    await leave.waitFor({ timeout: T });
    await leave.getByRole('button', { name: 'Stay and keep editing' }).click();
    assert.match(page.url(), /\/workflows\/e2e-yaml$/);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved version 2').waitFor({ timeout: T });
    const v2 = await suite.hub.api.getWorkflow('e2e-yaml');
    assert.ok(
      v2.source.nodes.some((n) => n.id === 'notify_all' && n.dependsOn?.includes('report')),
    );
    watch.assertClean();
    await page.close();
  });

  it('shows validation problems on the node and field they concern', async () => {
    const page = await suite.context.newPage();
    const watch = watchPage(page, invalidDraftsAllowed);
    await openBuilder(page, '/workflows/new');
    await page.getByRole('tab', { name: 'YAML' }).click();
    await replaceYaml(
      page,
      [
        'name: e2e-invalid',
        'nodes:',
        '  - id: fetch',
        '    agent: e2e',
        '    action: fetch',
        '    inputs: { repo: acme/app }',
        '  - id: analyze',
        '    agent: e2e',
        '    action: analyze',
        '    dependsOn: [fetch]',
        "    inputs: { files: '{{ nodes.report.output.text }}' }",
        '  - id: report',
        '    agent: e2e',
        '    action: report',
        '    dependsOn: [analyze]',
        '',
      ].join('\n'),
    );
    await page.getByRole('tab', { name: 'Canvas' }).click();
    await validated(page, /^2 problems/);
    for (const id of ['analyze', 'report']) {
      const marker = await page.getByTestId(`builder-node-problems-${id}`).textContent();
      assert.match(marker ?? '', /1 problem$/);
    }
    assert.equal(await page.getByTestId('builder-node-problems-fetch').count(), 0);

    // On the field: marked invalid and described by the problem.
    let panel = await selectNode(page, 'analyze');
    const files = panel.getByRole('combobox', { name: 'files' });
    assert.equal(await files.getAttribute('aria-invalid'), 'true');
    const describedBy = (await files.getAttribute('aria-describedby'))!.split(' ');
    const description = await page.evaluate(
      (ids) => ids.map((i) => document.getElementById(i)?.textContent ?? '').join(' '),
      describedBy,
    );
    assert.match(description, /not upstream of node "analyze"/);
    await screenshotBothThemes(page, 'builder-validation');
    await assertAccessible(page, 'the builder with problems');

    // The problems list selects the node and focuses the field.
    await page.getByRole('button', { name: /inputs\.text.*is required by e2e\.report/ }).click();
    panel = page.getByRole('region', { name: 'Node report' });
    await panel.waitFor({ timeout: T });
    const text = panel.getByRole('combobox', { name: 'text' });
    await page.waitForFunction(
      (id) => document.activeElement?.id === id,
      await text.getAttribute('id'),
      { timeout: T },
    );

    // A save is refused (422) with the same problems on the nodes.
    await clickEmptyCanvas(page);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/Not saved: Fix the problems/).waitFor({ timeout: T });
    await assert.rejects(suite.hub.api.getWorkflow('e2e-invalid'), /not found/i);

    // Fixing both problems through the form clears the markers.
    panel = await selectNode(page, 'report');
    await panel.getByRole('combobox', { name: 'text' }).fill('{{ nodes.analyze.output.summary }}');
    panel = await selectNode(page, 'analyze');
    await panel.getByRole('combobox', { name: 'files' }).fill('{{ nodes.fetch.output.files }}');
    await validated(page, /^Valid/);
    assert.equal(await page.locator('[data-testid^="builder-node-problems-"]').count(), 0);
    watch.assertClean();
    await page.close();
  });

  it('lists versions, opens one read-only and shows the diff between two', async () => {
    const v1 = pipeline('e2e-versions');
    await suite.hub.api.applyWorkflow(v1);
    const notify = step('notify_all', 'report', { text: 'done' }, 'report');
    await suite.hub.api.applyWorkflow({
      ...v1,
      description: 'Now with a notification',
      nodes: [...v1.nodes, notify],
    });
    const page = await suite.context.newPage();
    const watch = watchPage(page, invalidDraftsAllowed);
    await openBuilder(page, '/workflows/e2e-versions');
    await page.getByRole('tab', { name: /Versions/ }).click();
    await page.getByRole('heading', { name: 'Changes' }).waitFor({ timeout: T });
    const table = page.getByRole('table', {
      name: /Structural changes from version 1 to version 2/,
    });
    await table.waitFor({ timeout: T });
    const changes = await table.innerText();
    assert.match(changes, /added\s+nodes\[3\]\s+—\s+\{"id":"notify_all"/i);
    assert.match(changes, /added\s+description/i);
    const patch = page.getByLabel('Unified diff from version 1 to version 2');
    assert.match(await patch.innerText(), /\+\s+- id: notify_all/);
    await screenshotBothThemes(page, 'builder-diff');
    await assertAccessible(page, 'the version diff');

    await page.getByRole('button', { name: /Version 1/ }).click();
    const yaml = page.getByLabel('YAML of version 1');
    await yaml.waitFor({ timeout: T });
    assert.doesNotMatch(await yaml.innerText(), /notify_all/);
    await page.getByRole('button', { name: 'Load into the editor' }).click();
    await node(page, 'report').waitFor({ timeout: T });
    assert.equal(await node(page, 'notify_all').count(), 0);
    await page.getByText('Unsaved changes').waitFor();
    watch.assertClean();
    await page.close();
  });

  it('opens a 200-node workflow and edits a node without remounting the others', async () => {
    const nodes = Array.from({ length: 200 }, (_, i) =>
      step(
        `step_${i}`,
        'report',
        { text: `step ${i}` },
        i > 0 ? `step_${Math.floor((i - 1) / 2)}` : undefined,
      ),
    );
    await suite.hub.api.applyWorkflow({ name: 'e2e-large', nodes });
    const page = await suite.context.newPage();
    const watch = watchPage(page, invalidDraftsAllowed);
    const started = Date.now();
    await page.goto('/workflows/e2e-large');
    await node(page, 'step_0').waitFor({ timeout: T });
    const firstRender = Date.now() - started;
    await validated(page, /^Valid/);

    // Mark every card's DOM element, edit one node: the others keep their elements and content.
    await page.getByRole('button', { name: 'Fit View' }).click();
    await page.evaluate(() => {
      document.querySelectorAll<HTMLElement>('.bf-card').forEach((el) => (el.dataset.mark = '1'));
    });
    const marked = await page.locator('.bf-card[data-mark="1"]').count();
    assert.ok(marked > 10, `cards rendered: ${marked}`);
    const panel = await selectNode(page, 'step_0');
    const text = panel.getByRole('combobox', { name: 'text' });
    await text.press('End');
    const typingStarted = Date.now();
    await text.pressSequentially(' and more', { delay: 0 });
    await page.getByRole('button', { name: 'Undo' }).waitFor();
    const typing = Date.now() - typingStarted;
    assert.equal(await text.inputValue(), 'step 0 and more');
    assert.equal(await page.locator('.bf-card[data-mark="1"]').count(), marked);
    console.log(
      `200-node builder: first card after ${firstRender} ms; 9 keystrokes in ${typing} ms`,
    );
    watch.assertClean();
    await page.close();
  });
});
