import assert from 'node:assert/strict';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  json,
  startLocalServer,
  type LocalTestServer,
  type RecordedRequest,
} from '../../net/local-test-server.js';
import type { ApplyOutput } from './manifest.js';
import {
  assertOutput,
  checkoutState,
  createWorkspace,
  failureOf,
  testContext,
  type TestWorkspace,
} from './test-support.js';

const token = 'ghp_T0kenThatMustNeverLeak_0123456789';
const encodedCredentials = Buffer.from(`x-access-token:${token}`).toString('base64');

/** Asserts that no text contains the token (as is or inside a Basic header). */
function assertNoToken(...texts: unknown[]): void {
  for (const t of texts) {
    const s = typeof t === 'string' ? t : (JSON.stringify(t) ?? '');
    assert.ok(!s.includes(token) && !s.includes(encodedCredentials), `token leaked in: ${s}`);
  }
}

describe('patcher push and pull requests', () => {
  let ws: TestWorkspace;
  let server: LocalTestServer;
  let answer: (req: RecordedRequest, res: ServerResponse) => void;
  let bare: string;
  let repo: string;

  before(async () => {
    ws = createWorkspace();
    server = await startLocalServer((req, res) => answer(req, res));
    bare = ws.bare('remote.git');
    repo = ws.repo('app', { 'src/app.js': 'let x = 1;\n' });
    ws.git(repo, 'remote', 'add', 'origin', bare);
    ws.git(repo, 'push', '--quiet', 'origin', 'main');
    // Hooks of the repository must never run: each would leave a marker file.
    for (const hook of ['post-checkout', 'pre-commit', 'commit-msg', 'post-commit', 'pre-push']) {
      const script = join(repo, '.git', 'hooks', hook);
      writeFileSync(script, `#!/bin/sh\ntouch "${join(ws.root, `hook-ran-${hook}`)}"\n`);
      chmodSync(script, 0o755);
    }
  });
  after(async () => {
    await server.close();
    ws.cleanup();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  const forge = () => ({
    type: 'github' as const,
    apiUrl: `${server.origin}/api/v3`,
    repo: 'acme/app',
    token,
  });
  const input = (extra: Record<string, unknown> = {}) => ({
    repository: repo,
    message: 'Bump x',
    changes: [{ path: 'src/app.js', action: 'write', content: 'let x = 2;\n' }],
    pullRequest: { title: 'Bump x', body: 'Automated fix.', draft: true },
    forge: forge(),
    ...extra,
  });

  test('pushes to the remote and opens a GitHub pull request', async () => {
    answer = (_req, res) =>
      json(res, 201, { number: 7, html_url: 'https://github.example/acme/app/pull/7' });
    const before = checkoutState(ws, repo);
    const ctx = testContext({ key: 'bump', allowHosts: ['127.0.0.1'] });
    const out = (await ws.actions.apply!(input(), ctx)) as ApplyOutput;
    assertOutput('apply', out);
    assert.equal(out.pushed, true);
    assert.deepEqual(out.pullRequest, { number: 7, url: 'https://github.example/acme/app/pull/7' });
    assert.equal(ws.git(bare, 'rev-parse', out.branch).trim(), out.commit);
    assert.equal(server.requests.length, 1);
    const [req] = server.requests;
    assert.equal(req!.method, 'POST');
    assert.equal(req!.path, '/api/v3/repos/acme/app/pulls');
    assert.equal(req!.headers.authorization, `Bearer ${token}`);
    assert.equal(req!.headers.accept, 'application/vnd.github+json');
    assert.equal(req!.headers['x-github-api-version'], '2022-11-28');
    assert.deepEqual(JSON.parse(req!.body), {
      title: 'Bump x',
      head: out.branch,
      base: 'main',
      body: 'Automated fix.',
      draft: true,
    });
    assertNoToken(out, ctx.logs, ws.git(repo, 'config', '--list', '--local'));
    assert.deepEqual(checkoutState(ws, repo), before);
    assert.deepEqual(
      readdirSync(ws.root).filter((f) => f.startsWith('hook-ran-')),
      [],
    );
  });

  test('createFixPR opens a pull request titled after the commit message; it needs a forge', async () => {
    answer = (_req, res) =>
      json(res, 201, { number: 8, html_url: 'https://github.example/acme/app/pull/8' });
    const ctx = testContext({ key: 'fix-pr', allowHosts: ['127.0.0.1'] });
    const { pullRequest: _omitted, ...rest } = input({
      branch: 'cc/fix-pr',
      message: 'fix: bump x\n\nBecause the scan said so.',
    });
    const out = (await ws.actions.createFixPR!(rest, ctx)) as ApplyOutput;
    assertOutput('createFixPR', out);
    assert.deepEqual(out.pullRequest, { number: 8, url: 'https://github.example/acme/app/pull/8' });
    assert.equal(JSON.parse(server.requests[0]!.body).title, 'fix: bump x');
    const { forge: _none, ...noForge } = rest;
    const failure = await failureOf(ws.actions.createFixPR!({ ...noForge, branch: 'cc/x' }, ctx));
    assert.equal(failure.code, 'CC_E_STEP_INPUT_INVALID');
    assert.match(failure.message, /forge/);
  });

  test('an existing pull request (422) is a clear, final failure without the token', async () => {
    answer = (_req, res) =>
      json(res, 422, {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for acme:x. ${token}`,
          },
        ],
      });
    const ctx = testContext({ key: 'dup', allowHosts: ['127.0.0.1'] });
    const failure = await failureOf(ws.actions.apply!(input(), ctx));
    assert.equal(failure.retryable, false);
    assert.equal(failure.code, 'CC_E_DELIVERY_FAILED');
    assert.match(
      failure.message,
      /a pull request from cc\/5f0c2a9e-dup into main already exists on acme\/app/,
    );
    assertNoToken(failure.message, failure.details, ctx.logs);
  });

  test('a 5xx is retryable, and the retry resumes the pushed commit and finds the pull request', async () => {
    answer = (_req, res) => json(res, 502, { message: 'Bad gateway' });
    const first = await failureOf(
      ws.actions.apply!(input(), testContext({ key: 'flaky', allowHosts: ['127.0.0.1'] })),
    );
    assert.equal(first.retryable, true);
    const pushed = ws.git(bare, 'rev-parse', 'cc/5f0c2a9e-flaky').trim();
    server.requests.length = 0;
    // The pull request was created after all (the 502 came from a proxy): the retry finds it.
    answer = (req, res) =>
      req.method === 'GET'
        ? json(res, 200, [{ number: 12, html_url: 'https://github.example/acme/app/pull/12' }])
        : json(res, 500, {});
    const ctx = testContext({ key: 'flaky', attempt: 2, allowHosts: ['127.0.0.1'] });
    const out = (await ws.actions.apply!(input(), ctx)) as ApplyOutput;
    assert.equal(out.resumed, true);
    assert.equal(out.commit, pushed);
    assert.deepEqual(out.pullRequest, {
      number: 12,
      url: 'https://github.example/acme/app/pull/12',
    });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /api/v3/repos/acme/app/pulls?head=acme%3Acc%2F5f0c2a9e-flaky&base=main&state=open'],
    );
  });

  test('opens GitLab merge requests and Gitea pull requests with their own API shapes', async () => {
    answer = (req, res) =>
      req.path.includes('merge_requests')
        ? json(res, 201, { iid: 3, web_url: 'https://gitlab.example/g/s/app/-/merge_requests/3' })
        : json(res, 201, { number: 4, html_url: 'https://gitea.example/acme/app/pulls/4' });
    const gitlab = (await ws.actions.apply!(
      input({
        forge: { type: 'gitlab', apiUrl: `${server.origin}/api/v4`, repo: 'g/s/app', token },
      }),
      testContext({ key: 'gl', allowHosts: ['127.0.0.1'] }),
    )) as ApplyOutput;
    assert.deepEqual(gitlab.pullRequest, {
      number: 3,
      url: 'https://gitlab.example/g/s/app/-/merge_requests/3',
    });
    const gl = server.requests[0]!;
    assert.equal(gl.path, '/api/v4/projects/g%2Fs%2Fapp/merge_requests');
    assert.equal(gl.headers['private-token'], token);
    assert.deepEqual(JSON.parse(gl.body), {
      source_branch: 'cc/5f0c2a9e-gl',
      target_branch: 'main',
      title: 'Draft: Bump x',
      description: 'Automated fix.',
    });
    const gitea = (await ws.actions.apply!(
      input({
        forge: { type: 'gitea', apiUrl: `${server.origin}/api/v1/`, repo: 'acme/app', token },
      }),
      testContext({ key: 'gt', allowHosts: ['127.0.0.1'] }),
    )) as ApplyOutput;
    assert.equal(gitea.pullRequest?.number, 4);
    const gt = server.requests[1]!;
    assert.equal(gt.path, '/api/v1/repos/acme/app/pulls');
    assert.equal(gt.headers.authorization, `token ${token}`);
    assert.equal(JSON.parse(gt.body).title, 'WIP: Bump x');
  });

  test('the forge API on a private address needs the project allowlist', async () => {
    const failure = await failureOf(ws.actions.apply!(input(), testContext({ key: 'ssrf' })));
    assert.equal(failure.code, 'CC_E_EGRESS_REFUSED');
    assert.equal(failure.retryable, false);
    assert.equal(server.requests.length, 0);
  });

  test('clones a bare repository given as the repository and pushes to it by default', async () => {
    const out = (await ws.actions.apply!(
      {
        repository: bare,
        message: 'Via clone',
        changes: [{ path: 'cloned.txt', action: 'write', content: 'c\n' }],
      },
      testContext({ key: 'clone' }),
    )) as ApplyOutput;
    assertOutput('apply', out);
    assert.equal(out.pushed, true);
    assert.equal(ws.git(bare, 'show', `${out.branch}:cloned.txt`), 'c\n');
    assert.equal(ws.scratchLeft(), false);
    const lost = await failureOf(
      ws.actions.apply!(
        {
          repository: `file://${bare}`,
          push: false,
          message: 'x',
          changes: [{ path: 'y', action: 'write', content: '' }],
        },
        testContext({ key: 'lost' }),
      ),
    );
    assert.match(lost.message, /push: false cannot be used with a repository URL/);
  });
});

describe('patcher pushing to an HTTP git remote', () => {
  let ws: TestWorkspace;
  let server: LocalTestServer;
  let repo: string;
  before(async () => {
    ws = createWorkspace();
    // A git smart-HTTP endpoint that refuses every credential.
    server = await startLocalServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      res.end('denied');
    });
    repo = ws.repo('web', { 'a.txt': 'a\n' });
    ws.git(repo, 'remote', 'add', 'origin', `${server.origin}/acme/web.git`);
  });
  after(async () => {
    await server.close();
    ws.cleanup();
  });

  const input = {
    repository: 'web',
    message: 'm',
    changes: [{ path: 'a.txt', action: 'write', content: 'b\n' }],
    forge: { type: 'github', repo: 'acme/web', token },
  };

  test('is refused by the SSRF guard before git connects, unless allowlisted', async () => {
    const failure = await failureOf(ws.actions.apply!(input, testContext({ key: 'guard' })));
    assert.equal(failure.code, 'CC_E_EGRESS_REFUSED');
    assert.equal(server.connections(), 0);
    assert.equal(ws.git(repo, 'branch', '--list', 'cc/*'), '', 'refused before committing');
  });

  test('sends the token as a header scoped to the remote and never reveals it', async () => {
    const ctx = testContext({ key: 'auth', allowHosts: ['127.0.0.1'] });
    const failure = await failureOf(ws.actions.apply!(input, ctx));
    assert.equal(failure.retryable, false);
    assert.match(failure.message, /pushing cc\/5f0c2a9e-auth to origin was refused/);
    const probe = server.requests.find((r) => r.path.includes('info/refs'));
    assert.equal(probe?.headers.authorization, undefined, 'the SSRF probe carries no credentials');
    const fromGit = server.requests.filter((r) => r.headers['user-agent']?.startsWith('git/'));
    assert.ok(fromGit.length > 0, 'git itself must have contacted the remote');
    assert.ok(fromGit.every((r) => r.headers.authorization === `Basic ${encodedCredentials}`));
    assertNoToken(
      failure.message,
      failure.details,
      ctx.logs,
      ws.git(repo, 'config', '--list', '--local'),
    );
  });
});
