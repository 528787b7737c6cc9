/**
 * The frame of the UI: signing in with a token (and out), the live feed, the theme switch, the
 * project switcher, navigation by keyboard.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uiSuite, waitLive, watchPage } from './harness.js';

describe('UI shell', { timeout: 120_000 }, () => {
  // Signing in is what these tests are about: each opens its own context.
  const suite = uiSuite({ signIn: false });

  it('signs in with a pasted token, shows the project and live status, and signs out', async () => {
    const { hub, browser } = suite;
    const context = await browser.newContext({ baseURL: hub.url });
    const page = await context.newPage();
    // The first whoami answers 401 before signing in: expected.
    const watch = watchPage(
      page,
      (url, status) => url.endsWith('/api/v1/whoami') && status === 401,
    );
    await page.goto('/');
    await page.getByLabel('API token').fill('cc_not_a_real_token_at_all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    watch.problems.length = 0; // the refused token's 401 is the point of this step
    await page.getByLabel('API token').fill(hub.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await waitLive(page);
    assert.match(await page.getByLabel('Project').inputValue(), /default/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    watch.assertClean();
    await context.close();
  });

  it('switches theme and keeps it across reloads', async () => {
    const { hub, browser } = suite;
    const context = await browser.newContext({ baseURL: hub.url });
    await context.request.post('/api/v1/session', { data: { token: hub.token } });
    const page = await context.newPage();
    await page.goto('/overview');
    await page.getByRole('button', { name: /Switch to dark theme/ }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.reload();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await context.close();
  });

  it('serves index.html on client routes and 404 problems on unknown API paths', async () => {
    const { hub } = suite;
    const res = await fetch(`${hub.url}/runs/00000000-0000-4000-8000-000000000000`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await res.text(), /<div id="root">/);
    const api = await fetch(`${hub.url}/api/v1/nope`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
  });
});
