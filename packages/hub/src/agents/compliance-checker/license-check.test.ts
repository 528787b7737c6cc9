import { validateAgainstSchema } from '@commandcenter/protocol';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testContext, writeTreeFile as put } from '../security-scanner/test-support.js';
import { createComplianceCheckerActions } from './actions.js';
import { manifest, type CheckOutput, type Violation } from './manifest.js';

const outputs: unknown[] = [];
let workspace: string; // the workspace root
let project: string; // workspace/shop: a project with a lockfile

async function check(input: unknown): Promise<CheckOutput> {
  const { check } = createComplianceCheckerActions({ workspaceRoots: [workspace] });
  const output = (await check!(input, testContext('check'))) as CheckOutput;
  outputs.push(output);
  return output;
}

const brief = (list: Violation[]) =>
  list.map((v) => `${v.rule} ${v.package ?? v.file ?? ''}`.trim());

const lockfile = {
  name: 'shop',
  version: '1.0.0',
  lockfileVersion: 3,
  packages: {
    '': { name: 'shop', version: '1.0.0', license: 'MIT' },
    'node_modules/left-pad': { version: '1.3.0', license: 'WTFPL' },
    'node_modules/copyleft': { version: '2.1.0', license: 'GPL-3.0-only' },
    'node_modules/dual': { version: '1.0.0', license: '(MIT OR GPL-3.0-or-later)' },
    'node_modules/bare': { version: '0.1.0' },
    'node_modules/custom': { version: '4.0.0', license: 'SEE LICENSE IN EULA.txt' },
    'node_modules/builder': { version: '9.0.0', license: 'BUSL-1.1', dev: true },
    'node_modules/dual/node_modules/left-pad': { version: '1.3.0', license: 'WTFPL' },
    'node_modules/ui': { resolved: 'packages/ui', link: true },
    'packages/ui': { name: 'ui', version: '0.0.1', license: 'UNLICENSED' },
  },
};

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'cc-licenses-'));
  project = join(workspace, 'shop');
  await put(
    project,
    'package.json',
    JSON.stringify({ name: 'shop', version: '1.0.0', license: 'MIT' }),
  );
  await put(project, 'package-lock.json', JSON.stringify(lockfile, null, 2));
  await put(project, 'README.md', '# Shop\n');
  await put(project, 'LICENSE', 'MIT License\n');
});

after(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('licenses', () => {
  test('the default policy allows permissive licenses and flags the rest from the lockfile', async () => {
    const out = await check({ path: 'shop' });
    assert.equal(out.policySource, 'default');
    assert.equal(out.passed, false);
    assert.deepEqual(brief(out.violations), [
      'license.not-allowed left-pad@1.3.0',
      'license.not-allowed copyleft@2.1.0',
      'license.not-allowed builder@9.0.0',
    ]);
    const leftPad = out.violations[0]!;
    assert.equal(leftPad.license, 'WTFPL');
    assert.equal(leftPad.file, 'package-lock.json');
    assert.match(leftPad.message, /left-pad@1\.3\.0's license "WTFPL" is not in the allow list/);
    assert.deepEqual(brief(out.warnings), [
      'license.unknown bare@0.1.0',
      'license.unknown custom@4.0.0',
    ]);
    assert.match(out.warnings[1]!.message, /"SEE LICENSE IN EULA\.txt" is not an SPDX expression/);
    // shop itself + 6 distinct dependencies (the nested left-pad copy, links and workspaces are not)
    assert.equal(out.checked.packages, 7);
    assert.equal(out.checked.rules, 0);
  });

  test('deny, unknown: fail, includeDev: false and ignorePackages', async () => {
    const out = await check({
      path: project,
      policy: {
        licenses: {
          allow: ['MIT', 'ISC'],
          deny: ['GPL-3.0'],
          unknown: 'fail',
          includeDev: false,
          ignorePackages: ['left-pad'],
        },
      },
    });
    assert.equal(out.policySource, 'input');
    assert.deepEqual(brief(out.violations), [
      'license.denied copyleft@2.1.0',
      'license.unknown bare@0.1.0',
      'license.unknown custom@4.0.0',
    ]);
    assert.match(
      out.violations[0]!.message,
      /is denied by the policy \(licenses\.deny\): replace or remove/,
    );
    assert.deepEqual(out.warnings, []);
    assert.equal(out.checked.packages, 5);
  });

  test('without a lockfile, installed packages under node_modules are read', async () => {
    const dir = join(workspace, 'installed');
    await put(
      dir,
      'package.json',
      JSON.stringify({ name: 'installed', private: true, license: 'UNLICENSED' }),
    );
    await put(
      dir,
      'node_modules/strong/package.json',
      JSON.stringify({ name: 'strong', version: '1.0.0', license: 'AGPL-3.0-only' }),
    );
    await put(
      dir,
      'node_modules/@scope/lib/package.json',
      JSON.stringify({ name: '@scope/lib', version: '2.0.0', license: { type: 'MIT' } }),
    );
    await put(
      dir,
      'node_modules/strong/node_modules/old/package.json',
      JSON.stringify({
        name: 'old',
        version: '0.0.1',
        licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }],
      }),
    );
    const out = await check({ path: 'installed', policy: { licenses: { allow: ['MIT'] } } });
    assert.deepEqual(brief(out.violations), ['license.not-allowed strong@1.0.0']);
    assert.equal(out.violations[0]!.file, 'node_modules/strong/package.json');
    // the private, UNLICENSED project itself is not distributed, hence not checked
    assert.equal(out.checked.packages, 3);
  });

  test('a lockfileVersion 1 lockfile is reported, and node_modules used instead', async () => {
    const dir = join(workspace, 'legacy');
    await put(dir, 'package-lock.json', JSON.stringify({ lockfileVersion: 1, dependencies: {} }));
    await put(
      dir,
      'node_modules/x/package.json',
      JSON.stringify({ name: 'x', version: '1.0.0', license: 'MIT' }),
    );
    const out = await check({ path: 'legacy', policy: { licenses: { allow: ['MIT'] } } });
    assert.equal(out.passed, true);
    assert.equal(out.checked.packages, 1);
    assert.match(out.warnings[0]!.message, /lockfileVersion 1\) lists no licenses: upgrade it/);
  });
  test('a project without package.json, lockfile or node_modules says nothing was checked', async () => {
    const out = await check({
      files: [{ path: 'main.go', content: 'package main' }],
      policy: { licenses: { allow: ['MIT'] } },
    });
    assert.equal(out.passed, true);
    assert.equal(out.checked.packages, 0);
    assert.match(
      out.warnings[0]!.message,
      /No package\.json, package-lock\.json or node_modules found/,
    );
  });

  test('inline files that satisfy the default policy pass', async () => {
    const out = await check({
      files: [
        { path: 'package.json', content: JSON.stringify({ name: 'lib', license: 'Apache-2.0' }) },
        {
          path: 'package-lock.json',
          content: JSON.stringify({
            lockfileVersion: 3,
            packages: { 'node_modules/a': { version: '1.0.0', license: 'ISC OR GPL-2.0' } },
          }),
        },
        { path: 'Readme.md', content: '# lib' },
        { path: 'LICENSE.txt', content: 'Apache License 2.0' },
      ],
    });
    assert.deepEqual(out, {
      passed: true,
      violations: [],
      warnings: [],
      checked: { packages: 2, files: 4, rules: 0 },
      policySource: 'default',
    });
  });
});

test('every output conforms to the manifest output schema', () => {
  assert.ok(outputs.length >= 5);
  for (const output of outputs) {
    assert.deepEqual(
      validateAgainstSchema(manifest.actions.check.output, output, 'CC_E_OUTPUT_INVALID', 'output'),
      [],
    );
  }
});
