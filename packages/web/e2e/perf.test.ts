/**
 * How the run page copes with a big run: a 200-node layered workflow, one step printing 1,000
 * log lines. Measured in the page: time to first render (navigation start → the 200 nodes in the
 * DOM), frame times (requestAnimationFrame deltas) while the run progresses live and while the
 * log scrolls, and the production bundle's sizes. The figures are written to
 * artifacts/ui/perf.json and printed; only functional facts are asserted (speed is reported,
 * never asserted).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { gateStep, step } from './fixtures.js';
import {
  artifactsDir,
  laptop,
  screenshotBothThemes,
  signedInContext,
  uiDist,
  uiSuite,
  waitLive,
  watchPage,
} from './harness.js';

const LAYERS = 9;
const WIDTH = 22;
const LOG_LINES = 1000;

/** gate (approval) → source (1,000 log lines) → 9 layers of 22 nodes: 200 nodes. */
function bigWorkflow() {
  const nodes = [
    gateStep('perf'),
    step('source', 'fetch', { repo: 'acme/big', lines: LOG_LINES }, 'gate'),
  ];
  for (let k = 1; k <= LAYERS; k++) {
    for (let i = 0; i < WIDTH; i++) {
      const up = k === 1 ? ['source'] : [`l${k - 1}_${i}`, `l${k - 1}_${(i + 1) % WIDTH}`];
      nodes.push({
        ...step(`l${k}_${i}`, 'report', { text: `layer ${k} node ${i}` }),
        dependsOn: up,
      });
    }
  }
  return { name: 'e2e-perf-200', description: '200 nodes in layers', nodes };
}

interface FrameStats {
  frames: number;
  durationMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  over50Ms: number;
}

/**
 * The in-page instruments, installed before the app loads. Plain JavaScript in a string: a
 * function serialized by Playwright would carry the test runner's transpiler helpers with it.
 * - `__perf.allNodesAt`: ms since navigation start when the 200th node entered the DOM;
 * - `__perf.start()` / `__perf.stop()`: requestAnimationFrame deltas in between;
 * - `__perf.scroll(el, frames)`: scrolls `el` bottom → top → bottom, one step per frame.
 */
const instruments = `
window.__perf = { allNodesAt: undefined, frames: [], on: false };
new MutationObserver(function (_, observer) {
  if (document.querySelectorAll('[data-testid^="run-node-"]').length >= ${200}) {
    window.__perf.allNodesAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
window.__perf.start = function () {
  var p = window.__perf;
  p.frames = [];
  p.on = true;
  var last;
  function tick(t) {
    if (!p.on) return;
    if (last !== undefined) p.frames.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
};
window.__perf.stop = function () {
  window.__perf.on = false;
  return window.__perf.frames;
};
window.__perf.scroll = function (el, steps) {
  return new Promise(function (resolve) {
    var max = el.scrollHeight - el.clientHeight;
    var i = 0;
    function step() {
      i++;
      var phase = i <= steps ? i / steps : 2 - i / steps;
      el.scrollTop = Math.round(max * (1 - phase));
      if (i < steps * 2) requestAnimationFrame(step);
      else resolve();
    }
    requestAnimationFrame(step);
  });
};
`;

interface Perf {
  allNodesAt?: number;
  start(): void;
  stop(): number[];
  scroll(el: Element, steps: number): Promise<void>;
}

async function startFrames(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { __perf: Perf }).__perf.start());
}

async function stopFrames(page: Page): Promise<FrameStats> {
  const deltas = await page.evaluate(() => (window as unknown as { __perf: Perf }).__perf.stop());
  const sorted = deltas.slice().sort((a, b) => a - b);
  const pick = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    frames: deltas.length,
    durationMs: round(deltas.reduce((a, b) => a + b, 0)),
    p50Ms: round(pick(0.5)),
    p95Ms: round(pick(0.95)),
    maxMs: round(sorted.at(-1) ?? 0),
    over50Ms: deltas.filter((d) => d > 50).length,
  };
}

/**
 * Sizes of the built UI's files (raw and gzipped), largest first. Read when the suite starts:
 * other suites rebuild the same folder, so it may be briefly missing later on.
 */
function bundleSizes() {
  const dir = join(uiDist, 'assets');
  const files = readdirSync(dir)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((f) => {
      const bytes = readFileSync(join(dir, f));
      return {
        file: f,
        kB: Math.round(statSync(join(dir, f)).size / 102.4) / 10,
        gzipKB: Math.round(gzipSync(bytes).length / 102.4) / 10,
      };
    })
    .sort((a, b) => b.kB - a.kB);
  const sum = (k: 'kB' | 'gzipKB') => Math.round(files.reduce((a, f) => a + f[k], 0) * 10) / 10;
  return { totalKB: sum('kB'), totalGzipKB: sum('gzipKB'), files };
}

describe('run page performance', { timeout: 300_000 }, () => {
  let bundle: ReturnType<typeof bundleSizes> | null = null;
  before(() => {
    bundle = bundleSizes();
  });
  // The test opens its own context, with the in-page instruments installed.
  const suite = uiSuite({ arrange: (hub) => hub.api.applyWorkflow(bigWorkflow()), signIn: false });

  it('renders 200 nodes and 1,000 log lines, and reports render and frame times', async () => {
    const { hub } = suite;
    const context = await signedInContext(suite.browser, hub, { viewport: laptop });
    await context.addInitScript({ content: instruments });
    const page = await context.newPage();
    const watch = watchPage(page);
    const run = await hub.api.startRun({ workflow: 'e2e-perf-200' });

    await page.goto(`/runs/${run.id}`);
    await page.waitForFunction(
      () => (window as unknown as { __perf: Perf }).__perf.allNodesAt !== undefined,
      null,
      { timeout: 60_000 },
    );
    const firstRenderMs = Math.round(
      (await page.evaluate(() => (window as unknown as { __perf: Perf }).__perf.allNodesAt)) ?? 0,
    );
    assert.equal(await page.locator('[data-testid^="run-node-"]').count(), 200);
    // What opening a run page costs: the scripts and styles it loaded (decoded sizes, kB).
    const downloads = await page.evaluate(() => {
      const files = performance
        .getEntriesByType('resource')
        .map((e) => e as PerformanceResourceTiming)
        .filter((e) => /\.(js|css)$/.test(new URL(e.name).pathname))
        .map((e) => ({
          file: new URL(e.name).pathname,
          kB: Math.round(e.decodedBodySize / 102.4) / 10,
        }));
      return { totalKB: Math.round(files.reduce((a, f) => a + f.kB, 0) * 10) / 10, files };
    });
    await page
      .locator('[data-testid="run-node-gate"][data-status="waiting_approval"]')
      .waitFor({ timeout: 30_000 });
    await waitLive(page);

    // The run goes on while the page is open: 199 steps turn green, fed by the live stream.
    await startFrames(page);
    const approval = await hub.pendingApproval(run.id);
    const progressStart = Date.now();
    await hub.api.approve(approval.id);
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid^="run-node-"][data-status="succeeded"]').length ===
        200,
      null,
      { timeout: 120_000, polling: 'raf' },
    );
    const progressMs = Date.now() - progressStart;
    const liveFrames = await stopFrames(page);

    // The 1,000-line log: all lines there, scrolled from top to bottom and back.
    await page.getByTestId('run-node-source').click();
    const log = page.getByRole('log', { name: 'Logs of source' });
    await page
      .getByTestId('log-count')
      .filter({ hasText: '1,000 lines' })
      .waitFor({ timeout: 30_000 });
    await log.getByText(`fetch acme/big: line ${LOG_LINES}`).waitFor({ timeout: 10_000 });
    await startFrames(page);
    await log.evaluate((el) => (window as unknown as { __perf: Perf }).__perf.scroll(el, 90));
    const scrollFrames = await stopFrames(page);
    await log.evaluate((el) => (el.scrollTop = 0));
    await log.getByText('fetch acme/big: line 1', { exact: true }).waitFor({ timeout: 10_000 });
    await screenshotBothThemes(page, 'run-200-nodes');
    watch.assertClean();
    await context.close();

    const figures = {
      measuredAt: new Date().toISOString(),
      viewport: '1280x800',
      workflow: { nodes: 200, logLines: LOG_LINES },
      runPage: {
        timeToAllNodesMs: firstRenderMs,
        liveProgress: { wallMs: progressMs, ...liveFrames },
        logScroll: scrollFrames,
      },
      runPageDownloads: downloads,
      bundle,
    };
    mkdirSync(artifactsDir, { recursive: true });
    writeFileSync(join(artifactsDir, 'perf.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(JSON.stringify(figures, null, 2));
  });
});
