import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { V1, openApiHarness, type ApiHarness, type ApiResponse } from './api-harness.js';
import type { StoreKind } from './stores.js';

/**
 * An audit entry a suite expects to find. `actor` is a prefix: the harness names its tokens
 * `<role>-<project>-<n>`.
 */
export interface ExpectedAudit {
  action: string;
  target: string;
  actor: string;
}

/** One entry of `GET /api/v1/audit`. */
export interface AuditItem {
  id: string;
  actor: string;
  action: string;
  target: string;
  ip: string;
  at: string;
  userAgent: string | null;
}

/** Asserts the status of an answer; a failure shows the start of the body. */
export function ok(res: ApiResponse, status = 200): void {
  assert.equal(res.status, status, `${res.status} ${res.text.slice(0, 600)}`);
}

/** A functional API suite: one harness for the tests of a `describe`, and its audit trail. */
export interface ApiSuite {
  /** The harness, opened before the first test and closed after the last. */
  readonly h: ApiHarness;
  /** The audit entries the suite's mutations must have recorded; `auditTrail()` checks them. */
  readonly expected: ExpectedAudit[];
  /** Creates a project as the hub-wide admin (201) and expects its audit entry. */
  createProject(name: string): Promise<ApiResponse>;
  /** Applies a workflow (201 new version or 200 unchanged) and expects the entry of a new one. */
  apply(doc: unknown, project?: string): Promise<ApiResponse>;
  /** Triggers a run through the API and waits for its end; returns the run's id. */
  runToEnd(workflow: string, input?: unknown, project?: string): Promise<string>;
  /**
   * Reads the whole audit log, 10 entries a page, and checks it against `expected`: newest
   * first, no entry twice, every expected entry exactly once with its ip and time, nothing else
   * recorded (no failed request was), and `?action=` gives exactly the entries of that action.
   */
  auditTrail(): Promise<{ items: AuditItem[]; pages: number }>;
}

/**
 * Registers, in the enclosing `describe`, the hooks that open an API harness on `kind` and close
 * it, and returns the suite's helpers.
 */
export function apiSuite(kind: StoreKind): ApiSuite {
  let harness: ApiHarness | undefined;
  const expected: ExpectedAudit[] = [];
  before(async () => {
    harness = await openApiHarness(kind);
  });
  after(async () => harness?.close());

  const suite: ApiSuite = {
    get h() {
      if (!harness) throw new Error('the API harness is open only while the tests run');
      return harness;
    },
    expected,
    async createProject(name) {
      const r = await suite.h.call('POST', `${V1}/projects`, { body: { name } });
      ok(r, 201);
      expected.push({ action: 'project.create', target: name, actor: 'test-admin' });
      return r;
    },
    async apply(doc, project = 'default') {
      const r = await suite.h.call('POST', `${V1}/workflows?project=${project}`, { body: doc });
      assert.ok(r.status === 201 || r.status === 200, r.text);
      if (r.status === 201) {
        expected.push({
          action: 'workflow.apply',
          target: `${r.json.name}@${r.json.version}`,
          actor: 'test-admin',
        });
      }
      return r;
    },
    async runToEnd(workflow, input = {}, project = 'default') {
      const r = await suite.h.call('POST', `${V1}/runs?project=${project}`, {
        body: { workflow, input },
      });
      ok(r, 202);
      expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
      await suite.h.waitForRun(r.json.id);
      return r.json.id as string;
    },
    async auditTrail() {
      const { h } = suite;
      const items: AuditItem[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: ApiResponse = await h.call(
          'GET',
          `${V1}/audit?limit=10${cursor ? `&cursor=${cursor}` : ''}`,
        );
        ok(page);
        assert.ok(page.json.items.length <= 10);
        items.push(...(page.json.items as AuditItem[]));
        cursor = page.json.nextCursor;
        pages++;
      } while (cursor);
      const wanted = Math.ceil(expected.length / 10);
      assert.ok(pages >= wanted, `${pages} pages for ${expected.length} entries`);
      const ids = items.map((i) => Number(i.id));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
        'newest first',
      );
      assert.equal(new Set(ids).size, ids.length, 'no entry twice');
      for (const e of expected) {
        const found = items.filter(
          (i) => i.action === e.action && i.target === e.target && i.actor.startsWith(e.actor),
        );
        assert.equal(found.length, 1, `audit ${e.action} ${e.target} by ${e.actor}`);
        assert.equal(found[0]!.ip, '127.0.0.1');
        assert.ok(!Number.isNaN(Date.parse(found[0]!.at)));
      }
      const key = (e: { action: string; target: string }) => `${e.action} ${e.target}`;
      const known = new Set(expected.map(key));
      const extra = items.filter((i) => !known.has(key(i)));
      assert.deepEqual(extra, [], 'every recorded mutation is one the suite made');
      for (const action of new Set(expected.map((e) => e.action))) {
        const only = await h.call('GET', `${V1}/audit?action=${action}&limit=500`);
        ok(only);
        assert.deepEqual(
          only.json.items.map(key).sort(),
          expected
            .filter((e) => e.action === action)
            .map(key)
            .sort(),
          `?action=${action}`,
        );
      }
      return { items, pages };
    },
  };
  return suite;
}
