/**
 * The UI suites' harness: a real hub (embedded PGlite store in a temporary data directory, the
 * examples applied, the `e2e` builtin agent) serving the built UI, and Debian's Chromium driven
 * by playwright-core. Screenshots go to artifacts/ui/ at the repository root.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HubClient, type Approval, type RunStatus } from '@commandcenter/protocol/client';
import { loadConfig, startHub, type RunningHub } from '@commandcenter/hub';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { e2eAgentManifest, e2eBuiltins, e2eSwitches } from './e2e-agent.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const uiDist = join(repoRoot, 'packages/web/dist');
export const artifactsDir = join(repoRoot, 'artifacts/ui');
export const chromiumPath = process.env.CC_CHROMIUM ?? '/usr/bin/chromium';
const adminToken = 'cc_e2e_admin_token_0123456789abcdef';
/** How long a run started by a suite may take (the e2e agent's actions are instant). */
const runTimeoutMs = 20_000;
/** The screen the suites check pages on: a laptop (SPEC §8). */
export const laptop = { width: 1280, height: 800 };

export interface UiHub {
  url: string;
  hub: RunningHub;
  /** An admin client of the hub (to arrange data and check what the UI did). */
  api: HubClient;
  token: string;
  /** Waits until run `id` ends; resolves with its final status. */
  waitForRun(id: string): Promise<RunStatus>;
  /** Starts a run of `workflow` through the API and waits until it ends. */
  runToEnd(workflow: string, input?: unknown): Promise<RunStatus>;
  /** The pending approval of run `runId`, once its gate asked for one (10 s at most). */
  pendingApproval(runId: string): Promise<Approval>;
  close(): Promise<void>;
}

/** Starts a hub on a fresh embedded store, serving the built UI, with the e2e agent applied. */
export async function startUiHub(): Promise<UiHub> {
  assert.ok(
    existsSync(join(uiDist, 'index.html')),
    `the UI is not built: ${uiDist} (npm run build)`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'cc-e2e-'));
  const config = loadConfig({
    CC_DATA_DIR: dataDir,
    CC_PORT: '0',
    CC_ADMIN_TOKEN: adminToken,
    CC_UI_DIR: uiDist,
    CC_RATE_LIMIT: '0',
    CC_EXAMPLES_DIR: join(repoRoot, 'examples'),
  });
  const hub = await startHub(config, { builtins: e2eBuiltins(), log: () => {} });
  const api = new HubClient({ url: hub.url, token: adminToken });
  await api.applyAgent(e2eAgentManifest);
  const waitForRun = (id: string) =>
    hub.services.engine.waitForRun(id, { timeoutMs: runTimeoutMs });
  return {
    url: hub.url,
    hub,
    api,
    token: adminToken,
    waitForRun,
    runToEnd: async (workflow, input) => waitForRun((await api.startRun({ workflow, input })).id),
    pendingApproval: async (runId) => {
      for (let i = 0; i < 100; i++) {
        const pending = await api.listApprovals({ status: 'pending' });
        const approval = pending.items.find((a) => a.runId === runId);
        if (approval) return approval;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`run ${runId} never asked for an approval`);
    },
    close: async () => {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a suite's tests use; read inside hooks and tests (they exist once the set-up ran). */
export interface UiSuite {
  readonly hub: UiHub;
  readonly browser: Browser;
  /** A laptop-sized context signed in as the admin (unless the suite opted out). */
  readonly context: BrowserContext;
  /** A new laptop-sized context signed in with a new viewer token called `name`. */
  viewerContext(name: string): Promise<BrowserContext>;
}

/**
 * Registers, in the enclosing `describe`, the set-up every UI suite needs: a hub on which
 * `arrange` then applies the suite's data, Chromium, and (unless `signIn` is false) a signed-in
 * laptop-sized context; after the suite, all three close and the flaky switch is reset.
 */
export function uiSuite(
  opts: { arrange?: (hub: UiHub) => Promise<unknown>; signIn?: boolean } = {},
): UiSuite {
  const s: { hub?: UiHub; browser?: Browser; context?: BrowserContext } = {};
  before(async () => {
    s.hub = await startUiHub();
    s.browser = await launchBrowser();
    await opts.arrange?.(s.hub);
    if (opts.signIn !== false) {
      s.context = await signedInContext(s.browser, s.hub, { viewport: laptop });
    }
  });
  after(async () => {
    e2eSwitches.failFlaky = false;
    await s.context?.close();
    await s.browser?.close();
    await s.hub?.close();
  });
  const ready = <K extends keyof typeof s>(key: K): NonNullable<(typeof s)[K]> => {
    const value = s[key];
    assert.ok(value, `the suite's ${key} is not set up: read it inside a hook or a test`);
    return value;
  };
  return {
    get hub() {
      return ready('hub');
    },
    get browser() {
      return ready('browser');
    },
    get context() {
      return ready('context');
    },
    async viewerContext(name) {
      const hub = ready('hub');
      const viewer = await hub.api.createToken({ name, role: 'viewer', project: 'default' });
      return signedInContext(ready('browser'), hub, { viewport: laptop, token: viewer.token });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * A browser context signed in to `hub` (session cookie from `POST /api/v1/session`) with the
 * admin token, or `token`.
 */
export async function signedInContext(
  browser: Browser,
  hub: UiHub,
  opts: {
    theme?: 'light' | 'dark';
    viewport?: { width: number; height: number };
    token?: string;
  } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: hub.url,
    viewport: opts.viewport ?? { width: 1440, height: 900 },
    colorScheme: opts.theme ?? 'light',
  });
  const res = await context.request.post('/api/v1/session', {
    data: { token: opts.token ?? hub.token },
  });
  assert.equal(res.status(), 200, await res.text());
  await context.addInitScript(
    (theme) => localStorage.setItem('cc.theme', theme),
    opts.theme ?? 'light',
  );
  return context;
}

/** Fails the test on any uncaught error or failed request (4xx/5xx other than expected ones). */
export function watchPage(
  page: Page,
  allow: (url: string, status: number) => boolean = () => false,
) {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // Failed requests are judged by the response listener (which knows the expected ones).
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${msg.text()}`);
    }
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !allow(res.url(), res.status())) {
      problems.push(`${res.request().method()} ${res.url()} → ${res.status()}`);
    }
  });
  return {
    problems,
    assertClean() {
      assert.deepEqual(problems, [], `the page reported problems:\n${problems.join('\n')}`);
    },
  };
}

/** Writes `artifacts/ui/<name>-<theme>.png` for the current page in both themes. */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  const original = await page.evaluate(() => document.documentElement.dataset.theme ?? 'light');
  // The page scrolls inside <main>, which a full-page screenshot does not unroll: grow the
  // viewport to the content for the shot (up to 4,000 px), then restore it.
  const viewport = page.viewportSize();
  const needed = await page.evaluate(() => {
    const main = document.querySelector('main');
    const inMain = main ? main.getBoundingClientRect().top + main.scrollHeight : 0;
    return Math.ceil(Math.max(document.documentElement.scrollHeight, inMain));
  });
  if (viewport && needed > viewport.height) {
    await page.setViewportSize({ width: viewport.width, height: Math.min(needed, 4000) });
  }
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => {
      document.documentElement.dataset.theme = t;
      localStorage.setItem('cc.theme', t);
    }, theme);
    await page.waitForTimeout(100); // one frame for canvas charts to repaint with the theme
    await page.screenshot({ path: join(artifactsDir, `${name}-${theme}.png`), fullPage: true });
  }
  await page.evaluate((t) => {
    document.documentElement.dataset.theme = t;
    localStorage.setItem('cc.theme', t);
  }, original);
  if (viewport && needed > viewport.height) await page.setViewportSize(viewport);
}

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page (WCAG 2.1 A/AA rules) and fails on serious or critical violations,
 * listing each with the elements concerned.
 */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  const loaded = await page.evaluate(() => 'axe' in window);
  // Evaluated, not added as a <script>: the hub's CSP (script-src 'self') blocks inline scripts.
  if (!loaded) await page.evaluate(readFileSync(axePath, 'utf8'));
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    });
    return result.violations;
  })) as AxeViolation[];
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 5)
          .join(', ')}`,
    ),
    [],
    `accessibility violations on ${label}`,
  );
}

/** Waits for the live feed to be connected (the header says "Live"). */
export async function waitLive(page: Page): Promise<void> {
  await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor({ timeout: 15_000 });
}
