import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { MISSING_ID, V1, assertProblem, node, type ApiResponse } from '../testing/api-harness.js';
import { apiSuite, ok } from '../testing/api-suite.js';
import { testAgent } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';

/** Who may do what: tokens, roles, project isolation, browser sessions, and the audit log. */

for (const kind of storeKinds()) {
  describe(`REST API access on ${kind}`, () => {
    const api = apiSuite(kind);

    before(async () => {
      for (const name of ['alpha', 'beta']) await api.createProject(name);
    });

    test('tokens: the value is shown once; lists never show values or hashes; revoked and expired tokens are refused', async () => {
      const created = await api.h.call('POST', `${V1}/tokens`, {
        body: { name: 'ci', role: 'operator', project: 'default', expiresIn: '30d' },
      });
      ok(created, 201);
      const value = created.json.token as string;
      assert.match(value, /^cc_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.json.role, 'operator');
      assert.equal(created.json.project, 'default');
      assert.equal(created.json.createdBy, 'test-admin');
      const days = (Date.parse(created.json.expiresAt) - Date.now()) / 86_400_000;
      assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);
      api.expected.push({ action: 'token.create', target: created.json.id, actor: 'test-admin' });

      const who = await api.h.call('GET', `${V1}/whoami`, { token: value });
      ok(who);
      assert.deepEqual(who.json, {
        tokenId: created.json.id,
        name: 'ci',
        role: 'operator',
        project: 'default',
      });

      const hash = createHash('sha256').update(value).digest('hex');
      for (const url of [`${V1}/tokens`, `${V1}/tokens?project=default`]) {
        const list = await api.h.call('GET', url);
        ok(list);
        assert.ok(!list.text.includes(value), 'a list shows a token value');
        assert.ok(!list.text.includes(hash), 'a list shows a token hash');
        for (const t of list.json.items) {
          assert.deepEqual(Object.keys(t).sort(), [
            'createdAt',
            'createdBy',
            'expiresAt',
            'id',
            'name',
            'project',
            'revokedAt',
            'role',
          ]);
        }
        assert.ok(list.json.items.some((t: { id: string }) => t.id === created.json.id));
      }

      const revoked = await api.h.call('DELETE', `${V1}/tokens/${created.json.id}`);
      ok(revoked);
      assert.deepEqual(revoked.json, { id: created.json.id, revoked: true });
      api.expected.push({ action: 'token.revoke', target: created.json.id, actor: 'test-admin' });
      assertProblem(
        await api.h.call('GET', `${V1}/whoami`, { token: value }),
        401,
        'CC_E_TOKEN_REVOKED',
      );
      const listed = await api.h.call('GET', `${V1}/tokens`);
      assert.ok(listed.json.items.find((t: { id: string }) => t.id === created.json.id).revokedAt);

      // Expiry: a token whose expires_at has passed (set in the store; no waiting on the clock).
      const short = await api.h.call('POST', `${V1}/tokens`, {
        body: { name: 'short', role: 'viewer', expiresIn: '1h' },
      });
      ok(short, 201);
      api.expected.push({ action: 'token.create', target: short.json.id, actor: 'test-admin' });
      await api.h.store.query(
        `UPDATE tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [short.json.id],
      );
      assertProblem(
        await api.h.call('GET', `${V1}/whoami`, { token: short.json.token }),
        401,
        'CC_E_TOKEN_EXPIRED',
      );
    });

    test('roles: viewer cannot trigger, operator cannot approve, approver can; project admins stay in their project', async () => {
      await api.apply({ name: 'wf-roles', nodes: [node('ship', 'deploy', { inputs: {} })] });
      const viewer = await api.h.token('viewer');
      const operator = await api.h.token('operator');
      const approver = await api.h.token('approver');
      const projectAdmin = await api.h.token('admin', 'default');

      ok(await api.h.call('GET', `${V1}/runs`, { token: viewer }));
      assertProblem(
        await api.h.call('POST', `${V1}/runs`, { token: viewer, body: { workflow: 'wf-roles' } }),
        403,
        'CC_E_FORBIDDEN',
      );
      const run = await api.h.call('POST', `${V1}/runs`, {
        token: operator,
        body: { workflow: 'wf-roles' },
      });
      ok(run, 202);
      api.expected.push({ action: 'run.trigger', target: run.json.id, actor: 'operator-default-' });
      await api.h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === run.json.id);
      const ap = (await api.h.call('GET', `${V1}/approvals`, { token: viewer })).json.items.find(
        (a: { runId: string }) => a.runId === run.json.id,
      );
      assertProblem(
        await api.h.call('POST', `${V1}/approvals/${ap.id}/approve`, { token: operator }),
        403,
        'CC_E_FORBIDDEN',
      );
      assertProblem(
        await api.h.call('POST', `${V1}/approvals/${ap.id}/approve`, { token: viewer }),
        403,
        'CC_E_FORBIDDEN',
      );
      ok(await api.h.call('POST', `${V1}/approvals/${ap.id}/approve`, { token: approver }));
      api.expected.push({ action: 'approval.approve', target: ap.id, actor: 'approver-default-' });
      assert.equal(await api.h.waitForRun(run.json.id), 'succeeded');

      // Admin routes.
      assertProblem(
        await api.h.call('GET', `${V1}/tokens`, { token: approver }),
        403,
        'CC_E_FORBIDDEN',
      );
      assertProblem(
        await api.h.call('GET', `${V1}/audit`, { token: operator }),
        403,
        'CC_E_FORBIDDEN',
      );
      assertProblem(
        await api.h.call('POST', `${V1}/tokens`, {
          token: projectAdmin,
          body: { name: 'hub', role: 'viewer', project: null },
        }),
        403,
        'CC_E_FORBIDDEN',
      );
      const own = await api.h.call('POST', `${V1}/tokens`, {
        token: projectAdmin,
        body: { name: 'own', role: 'operator' },
      });
      ok(own, 201);
      assert.equal(own.json.project, 'default');
      api.expected.push({ action: 'token.create', target: own.json.id, actor: 'admin-default-' });
      const listed = await api.h.call('GET', `${V1}/tokens`, { token: projectAdmin });
      ok(listed);
      assert.ok(listed.json.items.every((t: { project: string }) => t.project === 'default'));
      assertProblem(
        await api.h.call('POST', `${V1}/tokens`, {
          token: projectAdmin,
          body: { name: 'x', role: 'viewer', project: 'alpha' },
        }),
        404,
        'CC_E_NOT_FOUND',
      );
    });

    test('project isolation: another project’s objects answer 404, exactly as ids that do not exist', async () => {
      const agent = await api.h.call('POST', `${V1}/agents?project=beta`, { body: testAgent });
      ok(agent, 201);
      api.expected.push({ action: 'agent.apply', target: 'test@1.0.0', actor: 'test-admin' });
      await api.apply({ name: 'wf-beta', nodes: [node('ship', 'deploy', { inputs: {} })] }, 'beta');
      const r = await api.h.call('POST', `${V1}/runs?project=beta`, {
        body: { workflow: 'wf-beta' },
      });
      ok(r, 202);
      api.expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
      const betaRun = r.json.id as string;
      await api.h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === betaRun);
      const betaApproval = (await api.h.call('GET', `${V1}/approvals?project=beta`)).json.items[0]
        .id as string;
      const betaToken = await api.h.call('POST', `${V1}/tokens`, {
        body: { name: 'beta-ops', role: 'operator', project: 'beta' },
      });
      ok(betaToken, 201);
      api.expected.push({ action: 'token.create', target: betaToken.json.id, actor: 'test-admin' });
      const betaTokenId = betaToken.json.id as string;

      const alphaAdmin = await api.h.token('admin', 'alpha');
      const same = async (
        method: string,
        url: (id: string) => string,
        real: string,
        body?: unknown,
      ) => {
        const a = await api.h.call(method, url(real), { token: alphaAdmin, body });
        const b = await api.h.call(method, url(MISSING_ID), { token: alphaAdmin, body });
        assertProblem(a, 404, 'CC_E_NOT_FOUND', undefined, `${method} ${url(real)}`);
        assertProblem(b, 404, 'CC_E_NOT_FOUND', undefined, `${method} ${url(MISSING_ID)}`);
        const norm = (x: ApiResponse) =>
          x.text.replaceAll(real, '<id>').replaceAll(MISSING_ID, '<id>');
        assert.equal(norm(a), norm(b), `${method} ${url('<id>')} discloses existence`);
      };
      await same('GET', (id) => `${V1}/runs/${id}`, betaRun);
      await same('GET', (id) => `${V1}/runs/${id}/logs`, betaRun);
      await same('POST', (id) => `${V1}/runs/${id}/cancel`, betaRun, {});
      await same('POST', (id) => `${V1}/runs/${id}/rerun`, betaRun, {});
      await same('GET', (id) => `${V1}/approvals/${id}`, betaApproval);
      await same('POST', (id) => `${V1}/approvals/${id}/approve`, betaApproval, {});
      await same('DELETE', (id) => `${V1}/tokens/${id}`, betaTokenId);
      // Project-scoped lists and named objects: beta is as unknown as a project that does not exist.
      for (const path of [
        '/workflows',
        '/workflows/wf-beta',
        '/runs',
        '/approvals',
        '/tokens',
        '/agents',
        '/secrets',
      ]) {
        const a = await api.h.call('GET', `${V1}${path}?project=beta`, { token: alphaAdmin });
        const b = await api.h.call('GET', `${V1}${path}?project=nosuch`, { token: alphaAdmin });
        assertProblem(a, 404, 'CC_E_NOT_FOUND', undefined, path);
        assertProblem(b, 404, 'CC_E_NOT_FOUND', undefined, path);
        assert.equal(
          a.text.replaceAll('project beta', 'project <p>'),
          b.text.replaceAll('project nosuch', 'project <p>'),
          path,
        );
      }
      const proj = await api.h.call('GET', `${V1}/projects/beta`, { token: alphaAdmin });
      const none = await api.h.call('GET', `${V1}/projects/nosuch`, { token: alphaAdmin });
      assertProblem(proj, 404, 'CC_E_NOT_FOUND');
      assert.equal(proj.text.replaceAll('beta', '<p>'), none.text.replaceAll('nosuch', '<p>'));

      // The beta token sees its own run; nothing changed for beta.
      const betaOps = betaToken.json.token as string;
      ok(await api.h.call('GET', `${V1}/runs/${betaRun}`, { token: betaOps }));
      const cancelled = await api.h.call('POST', `${V1}/runs/${betaRun}/cancel`, {
        token: betaOps,
      });
      ok(cancelled);
      api.expected.push({ action: 'run.cancel', target: betaRun, actor: 'beta-ops' });
      assert.equal(await api.h.waitForRun(betaRun), 'cancelled');
    });

    test('sessions: POST /api/v1/session sets the cookie; the one-time /login link works once', async () => {
      const viewer = await api.h.token('viewer');
      const login = await api.h.call('POST', `${V1}/session`, {
        token: null,
        body: { token: viewer },
      });
      ok(login);
      assert.equal(login.json.role, 'viewer');
      api.expected.push({
        action: 'session.open',
        target: login.json.tokenId,
        actor: 'viewer-default-',
      });
      const setCookie = String(login.headers['set-cookie']);
      assert.match(setCookie, /^cc_session=ccs_[^;]+;/);
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Lax/i);
      const cookie = setCookie.split(';')[0]!;
      const who = await api.h.call('GET', `${V1}/whoami`, { token: null, headers: { cookie } });
      ok(who);
      assert.equal(who.json.role, 'viewer');
      assert.equal(who.json.project, 'default');
      assertProblem(
        await api.h.call('POST', `${V1}/runs`, {
          token: null,
          headers: { cookie },
          body: { workflow: 'wf-roles' },
        }),
        403,
        'CC_E_FORBIDDEN',
      );
      ok(await api.h.call('DELETE', `${V1}/session`, { token: null, headers: { cookie } }));
      assertProblem(
        await api.h.call('GET', `${V1}/whoami`, { token: null, headers: { cookie } }),
        401,
        'CC_E_UNAUTHORIZED',
      );
      assertProblem(
        await api.h.call('POST', `${V1}/session`, { token: null, body: { token: 'cc_wrong' } }),
        401,
        'CC_E_UNAUTHORIZED',
      );

      const code = await api.h.services.sessions.createLoginCode();
      const first = await api.h.call('GET', `/login?code=${encodeURIComponent(code)}`, {
        token: null,
      });
      assert.equal(first.status, 303);
      assert.equal(first.headers.location, '/');
      api.expected.push({
        action: 'session.open',
        target: 'one-time login link',
        actor: 'login-link',
      });
      const linkCookie = String(first.headers['set-cookie']).split(';')[0]!;
      assert.match(linkCookie, /^cc_session=ccs_/);
      const admin = await api.h.call('GET', `${V1}/whoami`, {
        token: null,
        headers: { cookie: linkCookie },
      });
      ok(admin);
      assert.deepEqual(admin.json, {
        tokenId: null,
        name: 'login-link',
        role: 'admin',
        project: null,
      });
      const second = await api.h.call('GET', `/login?code=${encodeURIComponent(code)}`, {
        token: null,
      });
      assertProblem(second, 401, 'CC_E_UNAUTHORIZED');
      assert.equal(second.headers['set-cookie'], undefined);
    });

    test('audit: every mutation above is recorded with actor, action, target and ip; project admins see their project', async () => {
      await api.auditTrail();
      const alphaAdmin = await api.h.token('admin', 'alpha');
      const alpha = await api.h.call('GET', `${V1}/audit`, { token: alphaAdmin });
      ok(alpha);
      assert.deepEqual(
        alpha.json.items.map((i: { target: string }) => i.target),
        ['alpha'],
      );
    });
  });
}
