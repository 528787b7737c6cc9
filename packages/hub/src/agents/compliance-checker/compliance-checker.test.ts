import { validateAgainstSchema, validateAgentManifest } from '@commandcenter/protocol';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertStepFailure,
  testContext,
  writeTreeFile as put,
} from '../security-scanner/test-support.js';
import { createComplianceCheckerActions, type ComplianceCheckerOptions } from './actions.js';
import { manifest, type CheckOutput, type Violation } from './manifest.js';

const outputs: unknown[] = [];
let workspace: string; // the workspace root
let project: string; // workspace/shop: a project with a lockfile
let outside: string;

async function check(input: unknown, opts: Partial<ComplianceCheckerOptions> = {}) {
  const { check } = createComplianceCheckerActions({ workspaceRoots: [workspace], ...opts });
  const output = (await check!(input, testContext('check'))) as CheckOutput;
  outputs.push(output);
  return output;
}

async function refused(
  input: unknown,
  pattern: RegExp,
  opts: Partial<ComplianceCheckerOptions> = {},
): Promise<void> {
  await assertStepFailure(check(input, opts), pattern);
}

const brief = (list: Violation[]) =>
  list.map((v) => `${v.rule} ${v.package ?? v.file ?? ''}`.trim());

// Enough of a lockfile for the YAML policy's license section (license-check.test.ts has more).
const lockfile = {
  lockfileVersion: 3,
  packages: {
    'node_modules/copyleft': { version: '2.1.0', license: 'GPL-3.0-only' },
    'node_modules/bare': { version: '0.1.0' },
  },
};

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'cc-comply-'));
  outside = await mkdtemp(join(tmpdir(), 'cc-comply-outside-'));
  project = join(workspace, 'shop');
  await put(project, 'package.json', JSON.stringify({ name: 'shop', license: 'MIT' }));
  await put(project, 'package-lock.json', JSON.stringify(lockfile, null, 2));
  await put(project, 'README.md', '# Shop\n');
  await put(project, 'LICENSE', 'MIT License\n');
  await put(project, 'Dockerfile', 'FROM node:20\nRUN npm ci\nCMD ["node", "server.js"]\n');
  await put(project, 'src/index.js', 'export const a = 1;\n// TODO: remove the debug route\n');
  await put(project, 'config/.env', 'PORT=3000\n');
  await put(project, 'certs/server.pem', 'not really a key\n');
  await put(project, 'logs/app.log', 'x'.repeat(3000));
  await symlink(outside, join(workspace, 'escape'));
});

after(async () => {
  await rm(workspace, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('files and rules', () => {
  test('required files must exist at the root; forbidden files must not exist anywhere', async () => {
    const out = await check({
      path: 'shop',
      policy: {
        requiredFiles: ['readme.md', 'SECURITY.md', '.github/CODEOWNERS'],
        forbiddenFiles: ['*.pem', '.env', '*.key'],
      },
    });
    assert.deepEqual(brief(out.violations), [
      'file.required SECURITY.md',
      'file.required .github/CODEOWNERS',
      'file.forbidden certs/server.pem',
      'file.forbidden config/.env',
    ]);
    assert.match(out.violations[0]!.message, /Required file "SECURITY\.md" is missing: add it/);
    assert.equal(out.checked.packages, 0, 'no licenses section, no license check');
  });

  test('custom rules: mustContain, mustNotContain (with the line), maxSizeKb', async () => {
    const out = await check({
      path: 'shop',
      policy: {
        rules: [
          {
            id: 'docker-user',
            description: 'containers must not run as root',
            severity: 'high',
            file: 'Dockerfile',
            mustContain: '^USER\\s',
            flags: 'm',
          },
          { id: 'no-todo', file: 'src/**/*.js', mustNotContain: 'todo', flags: 'i' },
          { id: 'small-logs', file: '*.log', maxSizeKb: 1 },
          { id: 'terraform-tags', file: '*.tf', mustContain: 'tags' },
        ],
      },
    });
    assert.deepEqual(out.violations, [
      {
        rule: 'docker-user',
        severity: 'high',
        file: 'Dockerfile',
        message: 'Dockerfile does not contain /^USER\\s/ (containers must not run as root).',
      },
      {
        rule: 'no-todo',
        severity: 'medium',
        file: 'src/index.js',
        line: 2,
        message: 'src/index.js line 2 contains /todo/.',
      },
      {
        rule: 'small-logs',
        severity: 'medium',
        file: 'logs/app.log',
        message: 'logs/app.log is 3 KiB, over the 1 KiB limit.',
      },
    ]);
    assert.deepEqual(brief(out.warnings), ['terraform-tags']);
    assert.match(out.warnings[0]!.message, /matches no file/);
    assert.equal(out.checked.rules, 4);
  });

  test('a policy written in YAML', async () => {
    const policyYaml = [
      '# our open-source policy',
      'licenses:',
      '  allow: [MIT, ISC, Apache-2.0]',
      '  deny:',
      '    - GPL-3.0',
      '  unknown: warn',
      '  includeDev: false',
      'requiredFiles: [README.md, LICENSE]',
      'forbiddenFiles: ["*.pem"]',
      'rules:',
      '  - id: no-todo',
      '    file: "src/**"',
      '    mustNotContain: TODO',
    ].join('\n');
    const out = await check({ path: 'shop', policyYaml });
    assert.equal(out.policySource, 'yaml');
    assert.deepEqual(brief(out.violations), [
      'license.denied copyleft@2.1.0',
      'file.forbidden certs/server.pem',
      'no-todo src/index.js',
    ]);
    assert.deepEqual(brief(out.warnings), ['license.unknown bare@0.1.0']);
  });
});

describe('invalid input fails the step, listing the problems', () => {
  test('YAML that does not parse', async () => {
    await refused(
      { path: 'shop', policyYaml: 'licenses:\n  allow: [MIT\n' },
      /policyYaml line 3, column 1: Flow sequence in block collection must .* end with a \]/,
    );
  });

  test('unknown keys and wrong types, with their paths', async () => {
    const policyYaml = 'licenses:\n  allow: [MIT, ISC, 42]\n  allw: [x]\nforbidenFiles: [a]\n';
    await refused({ path: 'shop', policyYaml }, /policy\.licenses\.allow\[2\] must be a string/);
    await refused({ path: 'shop', policyYaml }, /policy\.licenses\.allw is not an allowed field/);
    await refused({ path: 'shop', policyYaml }, /policy\.forbidenFiles is not an allowed field/);
    await refused(
      { path: 'shop', policy: { rules: [{ id: 'r', file: '*' }] } },
      /policy\.rules\[0\]/,
    );
  });

  test('a bad regular expression or glob, and a duplicate rule id', async () => {
    await refused(
      {
        path: 'shop',
        policy: {
          forbiddenFiles: ['{a,b'],
          rules: [
            { id: 'r', file: '*', mustContain: '(unclosed' },
            { id: 'r', file: '*', maxSizeKb: 1 },
          ],
        },
      },
      /policy\.rules\[0\]\.mustContain is not a valid regular expression(?:.*\n)*.*policy\.forbiddenFiles\[0\](?:.*\n)*.*"r" is used by another rule/,
    );
  });

  test('both policy and policyYaml, or neither path nor files', async () => {
    await refused(
      { path: 'shop', policy: {}, policyYaml: '{}' },
      /either policy or policyYaml, not both/,
    );
    await refused({ policy: {} }, /check input is invalid/);
  });

  test('a regular expression that runs too long is stopped', async () => {
    await put(project, 'slow.txt', `${'a'.repeat(40)}!`);
    await refused(
      {
        path: 'shop',
        policy: { rules: [{ id: 'slow', file: 'slow.txt', mustContain: '^(a+)+$' }] },
      },
      /Policy rule slow: the regular expression \/\^\(a\+\)\+\$\/ ran longer than 50 ms on slow\.txt/,
      { regexTimeoutMs: 50 },
    );
    await rm(join(project, 'slow.txt'));
  });
});

describe('paths outside the workspace roots are refused', () => {
  test('../ traversal and a symbolic link pointing outside', async () => {
    await refused({ path: `../${basename(outside)}` }, /outside the workspace roots/);
    await refused({ path: 'escape' }, /"escape" resolves to .*outside the workspace roots/);
  });

  test('a file instead of a directory', async () => {
    await refused({ path: 'shop/README.md' }, /is a file: give the project's directory/);
  });
});

describe('manifest', () => {
  test('is a valid builtin agent manifest and every output above conforms to its schema', () => {
    const validation = validateAgentManifest(manifest);
    assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.problems));
    assert.equal(validation.agent.risk, 'low');
    assert.ok(outputs.length >= 3);
    for (const output of outputs) {
      assert.deepEqual(
        validateAgainstSchema(
          manifest.actions.check.output,
          output,
          'CC_E_OUTPUT_INVALID',
          'output',
        ),
        [],
      );
    }
  });
});
