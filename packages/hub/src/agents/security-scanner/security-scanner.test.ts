import { validateAgainstSchema, validateAgentManifest } from '@commandcenter/protocol';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSecurityScannerActions, type SecurityScannerOptions } from './actions.js';
import { manifest, type ScanOutput } from './manifest.js';
import { assertStepFailure, testContext, writeTreeFile } from './test-support.js';

const awsKey = 'AKIA' + 'IOSFODNN7EXAMPLE';
const randomKey = 'q8Xv3LkP0zR7mN2b' + 'T5wY9cJ4hF6dG1sA';
const outputs: unknown[] = [];
let root: string;
let outside: string;

async function scan(
  input: unknown,
  opts: Partial<SecurityScannerOptions> = {},
  signal?: AbortSignal,
): Promise<ScanOutput> {
  const { scan } = createSecurityScannerActions({ workspaceRoots: [root], ...opts });
  const output = (await scan!(input, testContext('scan', signal))) as ScanOutput;
  outputs.push(output);
  return output;
}

async function refused(
  input: unknown,
  pattern: RegExp,
  opts: Partial<SecurityScannerOptions> = {},
): Promise<void> {
  await assertStepFailure(scan(input, opts), pattern);
}

function put(path: string, content: string | Buffer): Promise<void> {
  return writeTreeFile(root, path, content);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cc-scan-root-'));
  outside = await mkdtemp(join(tmpdir(), 'cc-scan-outside-'));
  await writeFile(join(outside, 'secret.txt'), `aws = "${awsKey}"\n`);
  await put(
    'src/config.ts',
    `export const id = "${awsKey}";\nexport const password = "Tr0ub4dor&3x";\n`,
  );
  await put('src/view.js', 'export function show(el, html) {\n  el.innerHTML = html;\n}\n');
  await put('node_modules/dep/index.js', `module.exports = "${awsKey}";\n`);
  await put('dist/bundle.js', `var k = "${awsKey}";\n`);
  await put('.git/config', `token = ${awsKey}\n`);
  await put(
    'assets/logo.png',
    Buffer.concat([Buffer.from([0x89, 0x50, 0, 0]), Buffer.from(awsKey)]),
  );
  await put('logs/big.log', `${'x'.repeat(3000)}\n${awsKey}\n`);
  await put('yarn.lock', `  integrity sha1-${randomKey}\n  resolved "${randomKey}"\n`);
  await put('vendor/app.min.js', `var a="${randomKey}";\n`);
  await symlink(join(outside, 'secret.txt'), join(root, 'link-out.txt'));
  await symlink(outside, join(root, 'escape'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('scan of a workspace directory', () => {
  test('reports secrets and risky code, skipping dependencies, build output, binaries and big files', async () => {
    const out = await scan({ path: root, audit: false }, { maxFileBytes: 2048 });
    const where = out.findings.map((f) => `${f.file}:${f.line} ${f.rule}`);
    assert.deepEqual(where, [
      'src/config.ts:1 secret.aws-access-key',
      'src/config.ts:2 secret.generic-assignment',
      'src/view.js:2 code.html-injection',
    ]);
    assert.equal(out.findings[0]!.excerpt, 'export const id = "AKIA***";');
    assert.deepEqual(out.summary, {
      total: 3,
      critical: 0,
      high: 2,
      medium: 1,
      low: 0,
      bySeverity: { critical: 0, high: 2, medium: 1, low: 0 },
      byCategory: { secret: 2, code: 1, dependency: 0 },
      filesScanned: 4, // src/config.ts, src/view.js, yarn.lock, vendor/app.min.js
      filesSkipped: 2, // the binary logo and the big log
      failOn: 'high',
      passed: false,
    });
    assert.equal(out.audit, undefined);
    assert.ok(
      out.notes.some((n) => /over 2048 bytes: logs\/big\.log/.test(n)),
      out.notes.join(),
    );
    assert.ok(out.notes.includes('Skipped 1 binary files.'));
    assert.ok(
      out.notes.some((n) => /Skipped 2 symbolic links/.test(n)),
      out.notes.join(),
    );
    assert.ok(!JSON.stringify(out).includes(awsKey), 'the output must never hold a secret');
    // The files with findings, for a review step; secret lines are replaced.
    assert.deepEqual(
      out.files.map((f) => [f.path, f.findings]),
      [
        ['src/config.ts', 2],
        ['src/view.js', 1],
      ],
    );
    const config = out.files[0]!.content.split('\n');
    assert.equal(config[0], '[line redacted: secret.aws-access-key]');
    assert.equal(config[1], '[line redacted: secret.generic-assignment]');
    assert.match(out.files[1]!.content, /innerHTML/);
  });

  test('include/exclude globs, minSeverity and failOn shape the result', async () => {
    const srcOnly = await scan({ path: root, include: ['src/**'], exclude: ['*.js'] });
    assert.deepEqual([...new Set(srcOnly.findings.map((f) => f.file))], ['src/config.ts']);
    const high = await scan({ path: 'src', minSeverity: 'high', failOn: 'critical' });
    assert.deepEqual(
      high.findings.map((f) => f.severity),
      ['high', 'high'],
    );
    assert.equal(high.summary.passed, true);
  });

  test('a single file can be scanned; a relative path resolves against the first root', async () => {
    const out = await scan({ path: 'src/view.js' });
    assert.deepEqual(
      out.findings.map((f) => [f.file, f.line, f.rule]),
      [['view.js', 2, 'code.html-injection']],
    );
  });

  test('the file walk is bounded and says so', async () => {
    const out = await scan({ path: root, audit: false }, { maxFiles: 2 });
    assert.equal(out.summary.filesScanned + out.summary.filesSkipped, 2);
    assert.ok(
      out.notes.some((n) => n.startsWith('Stopped after 2 files')),
      out.notes.join(),
    );
  });

  test('findings beyond maxFindings are counted but not listed', async () => {
    const out = await scan({ path: 'src' }, { maxFindings: 1 });
    assert.equal(out.findings.length, 1);
    assert.equal(out.summary.total, 3);
    assert.ok(out.notes.some((n) => /Listed the 1 most severe of 3 findings/.test(n)));
  });
});

describe('paths outside the workspace roots are refused', () => {
  test('../ traversal', async () => {
    await refused(
      { path: `../${basename(outside)}` },
      /resolves to .*, which is outside the workspace roots/,
    );
  });

  test('an absolute path elsewhere', async () => {
    await refused({ path: outside }, /outside the workspace roots/);
  });

  test('a symbolic link inside the root that points outside it', async () => {
    await refused({ path: 'escape' }, /"escape" resolves to .*outside the workspace roots/);
    await refused({ path: 'link-out.txt' }, /outside the workspace roots/);
  });

  test('a path that does not exist, and a hub without workspace roots', async () => {
    await refused({ path: 'nope/missing' }, /"nope\/missing" does not exist/);
    await refused({ path: 'src' }, /Set CC_WORKSPACE_ROOTS/, { workspaceRoots: [] });
  });
});

describe('inline files and diffs', () => {
  test('inline files and a diff are scanned together', async () => {
    const diff = [
      '--- a/app/db.py',
      '+++ b/app/db.py',
      '@@ -7,2 +7,3 @@',
      ' def find(name):',
      '+    cursor.execute("SELECT * FROM users WHERE name = \'%s\'" % name)', // cc-scan-ignore
      '     return cursor.fetchall()',
    ].join('\n');
    const out = await scan({
      files: [{ path: './deploy/.env', content: `AWS_ACCESS_KEY_ID=${awsKey}\n` }],
      diff,
    });
    assert.deepEqual(
      out.findings.map((f) => [f.file, f.line, f.rule]),
      [
        ['app/db.py', 8, 'code.sql-injection'],
        ['deploy/.env', 1, 'secret.aws-access-key'],
      ],
    );
    assert.equal(out.summary.filesScanned, 2);
  });

  test('lockfiles and minified files are exempt from the entropy rule only', async () => {
    const content = `x = "${randomKey}"\n`;
    const out = await scan({
      files: [
        { path: 'yarn.lock', content },
        { path: 'web/app.min.js', content: `${content}${'y'.repeat(80)}\n` },
        { path: 'web/app.js', content },
      ],
    });
    assert.deepEqual(
      out.findings.map((f) => [f.file, f.rule]),
      [['web/app.js', 'secret.high-entropy']],
    );
  });
});

describe('input problems fail the step with a clear message', () => {
  test('no path, files or diff', async () => {
    await refused({ minSeverity: 'high' }, /scan input is invalid.*path, files or diff/s);
  });

  test('an unknown rule id, with the closest known one', async () => {
    await refused(
      { files: [], rules: ['secret.aws-acess-key'] },
      /Unknown scanner rule "secret.aws-acess-key" \(Did you mean "secret.aws-access-key"\?\)/,
    );
  });

  test('a malformed glob', async () => {
    await refused({ files: [], include: ['src/[ab'] }, /Invalid include\/exclude pattern/);
  });

  test('an aborted attempt stops the scan', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the engine'));
    await assert.rejects(scan({ path: root }, {}, controller.signal), /cancelled by the engine/);
  });
});

describe('manifest', () => {
  test('is a valid builtin agent manifest and every output above conforms to its schema', () => {
    const validation = validateAgentManifest(manifest);
    assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.problems));
    assert.equal(validation.agent.risk, 'low');
    assert.ok(outputs.length >= 8);
    for (const output of outputs) {
      const problems = validateAgainstSchema(
        manifest.actions.scan.output,
        output,
        'CC_E_OUTPUT_INVALID',
        'output',
      );
      assert.deepEqual(problems, []);
    }
  });
});
