// npm audit against a local fake registry speaking npm's bulk advisory protocol.
import { validateAgainstSchema } from '@commandcenter/protocol';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createSecurityScannerActions, type SecurityScannerOptions } from './actions.js';
import { manifest, type ScanOutput } from './manifest.js';
import { testContext } from './test-support.js';

interface BulkRequest {
  encoding?: string;
  body: Record<string, string[]>;
}

const advisories = {
  'left-pad': [
    {
      id: 1001,
      url: 'https://advisories.example.test/1001',
      title: 'Prototype pollution in left-pad',
      severity: 'high',
      vulnerable_versions: '<1.3.1',
      cwe: ['CWE-1321'],
      cvss: { score: 7.5, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N' },
    },
  ],
  'is-odd': [
    {
      id: 1002,
      url: 'https://advisories.example.test/1002',
      title: 'Wrong parity for large numbers',
      severity: 'moderate',
      vulnerable_versions: '<=3.0.1',
      cwe: [],
      cvss: { score: 5.3, vectorString: null },
    },
  ],
};

const lockfile = {
  name: 'shop',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': {
      name: 'shop',
      version: '1.0.0',
      dependencies: { 'left-pad': '1.3.0', 'is-odd': '3.0.1' },
    },
    'node_modules/is-odd': { version: '3.0.1', license: 'MIT' },
    'node_modules/left-pad': { version: '1.3.0', license: 'WTFPL' },
    'node_modules/safe-dep': { version: '2.0.0', license: 'MIT' },
  },
};
const lockText = JSON.stringify(lockfile, null, 2);
const packageJson = JSON.stringify({
  name: 'shop',
  version: '1.0.0',
  dependencies: { 'left-pad': '1.3.0', 'is-odd': '3.0.1', 'safe-dep': '2.0.0' },
});

const requests: BulkRequest[] = [];
const outputs: unknown[] = [];
let server: Server;
let registry: string;
let root: string;
let cache: string;
const savedCache = process.env.npm_config_cache;

async function scan(input: unknown, opts: Partial<SecurityScannerOptions> = {}) {
  const actions = createSecurityScannerActions({
    workspaceRoots: [root],
    npmRegistry: registry,
    ...opts,
  });
  const output = (await actions.scan!(input, testContext('scan'))) as ScanOutput;
  outputs.push(output);
  return output;
}

/** A registry with the bulk advisory endpoint and one packument (left-pad has a fixed 1.3.1). */
function fakeRegistry(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const json = (body: unknown, status = 200) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && req.url === '/-/npm/v1/security/advisories/bulk') {
        const encoding = req.headers['content-encoding'];
        const text = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        const body = JSON.parse(text) as Record<string, string[]>;
        requests.push({ encoding, body });
        return json(Object.fromEntries(Object.entries(advisories).filter(([n]) => n in body)));
      }
      if (req.method === 'GET' && req.url === '/left-pad') {
        const version = (v: string) => ({
          name: 'left-pad',
          version: v,
          dist: { tarball: `${registry}left-pad/-/left-pad-${v}.tgz` },
        });
        return json({
          name: 'left-pad',
          'dist-tags': { latest: '1.3.1' },
          versions: { '1.3.0': version('1.3.0'), '1.3.1': version('1.3.1') },
        });
      }
      json({ error: 'Not found' }, 404);
    });
  });
}

before(async () => {
  server = fakeRegistry();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  root = await mkdtemp(join(tmpdir(), 'cc-audit-'));
  // npm caches advisory calculations by advisory id: a private cache keeps runs independent
  // (and keeps these fake advisories out of the user's cache). The scanner passes it through.
  cache = await mkdtemp(join(tmpdir(), 'cc-audit-cache-'));
  process.env.npm_config_cache = cache;
  await writeFile(join(root, 'package-lock.json'), lockText);
  await writeFile(join(root, 'package.json'), packageJson);
  // A project .npmrc is untrusted input: npm must not see it (the audit runs on a copy of the
  // lockfile elsewhere). Were it read, every request would go to this dead proxy and fail.
  await writeFile(
    join(root, '.npmrc'),
    'proxy=http://127.0.0.1:9/\nhttps-proxy=http://127.0.0.1:9/\n',
  );
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
  if (savedCache === undefined) delete process.env.npm_config_cache;
  else process.env.npm_config_cache = savedCache;
});

describe('npm audit', () => {
  test('runs on the lockfile of the scanned directory and maps advisories to findings', async () => {
    requests.length = 0;
    const out = await scan({ path: root });
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.encoding, 'gzip', 'npm 11 gzips the bulk request');
    assert.deepEqual(requests[0]!.body, {
      'is-odd': ['3.0.1'],
      'left-pad': ['1.3.0'],
      'safe-dep': ['2.0.0'],
    });
    assert.deepEqual(out.audit, {
      ran: true,
      lockfile: 'package-lock.json',
      vulnerabilities: { info: 0, low: 0, moderate: 1, high: 1, critical: 0, total: 2 },
    });
    const [leftPad, isOdd] = out.findings;
    const lines = lockText.split('\n');
    assert.deepEqual(leftPad, {
      file: 'package-lock.json',
      line: lines.findIndex((l) => l.includes('"node_modules/left-pad"')) + 1,
      rule: 'dependency.npm-audit',
      severity: 'high',
      category: 'dependency',
      message: 'left-pad@1.3.0: Prototype pollution in left-pad',
      excerpt: 'left-pad@1.3.0 (vulnerable: <1.3.1)',
      fix: 'Upgrade left-pad to 1.3.1 (`npm audit fix`).',
      references: ['https://advisories.example.test/1001'],
    });
    assert.equal(isOdd!.severity, 'medium');
    assert.equal(isOdd!.line, lines.findIndex((l) => l.includes('"node_modules/is-odd"')) + 1);
    assert.match(isOdd!.fix!, /No patched version is available/);
    assert.deepEqual(out.summary.byCategory, { secret: 0, code: 0, dependency: 2 });
    assert.equal(out.summary.passed, false);
  });

  test('runs on a lockfile given inline, e.g. by an upstream step', async () => {
    requests.length = 0;
    const out = await scan({
      files: [
        { path: 'app/package-lock.json', content: lockText },
        { path: 'app/package.json', content: packageJson },
      ],
    });
    assert.equal(requests.length, 1);
    assert.equal(out.audit?.lockfile, 'app/package-lock.json');
    assert.deepEqual(
      out.findings.map((f) => [f.file, f.severity]),
      [
        ['app/package-lock.json', 'high'],
        ['app/package-lock.json', 'medium'],
      ],
    );
  });

  test('an unreachable registry is recorded, not a failed scan', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const out = await scan(
      { path: root, audit: true },
      { npmRegistry: `http://127.0.0.1:${port}/` },
    );
    assert.equal(out.audit?.ran, false);
    assert.match(out.audit!.reason!, /npm audit failed: .*ECONNREFUSED/);
    assert.deepEqual(out.audit!.vulnerabilities.total, 0);
    assert.deepEqual(out.findings, []);
  });

  test('a missing npm is recorded with how to fix it', async () => {
    const out = await scan({ path: root }, { npmPath: join(root, 'no-such-npm') });
    assert.equal(out.audit?.ran, false);
    assert.match(out.audit!.reason!, /npm was not found .* set the scanner's npmPath/);
  });

  test('audit: false skips it; audit: true without a lockfile says why it did not run', async () => {
    requests.length = 0;
    const skipped = await scan({ path: root, audit: false });
    assert.equal(skipped.audit, undefined);
    const none = await scan({ files: [{ path: 'a.js', content: 'x' }], audit: true });
    assert.deepEqual(none.audit, {
      ran: false,
      reason: 'no package-lock.json among the scanned files',
      vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 },
    });
    const filtered = await scan({ path: root, rules: ['secret.github-token'] });
    assert.match(filtered.audit!.reason!, /rules filter leaves out dependency.npm-audit/);
    assert.equal(requests.length, 0);
  });

  test('every output conforms to the manifest output schema', () => {
    assert.ok(outputs.length >= 5);
    for (const output of outputs) {
      assert.deepEqual(
        validateAgainstSchema(
          manifest.actions.scan.output,
          output,
          'CC_E_OUTPUT_INVALID',
          'output',
        ),
        [],
      );
    }
  });
});
