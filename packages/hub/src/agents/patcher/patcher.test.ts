import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadWorkflow, validateAgentManifest } from '@commandcenter/protocol';
import { createPatcherActions } from './actions.js';
import type { ApplyOutput, PreviewOutput } from './manifest.js';
import { manifest } from './manifest.js';
import {
  assertOutput,
  checkoutState,
  createWorkspace,
  failureOf,
  testContext,
  type TestWorkspace,
} from './test-support.js';

const files = {
  'README.md': '# shop\n',
  'src/app.js': 'const a = 1;\nconst b = 2;\nconsole.log(a + b);\n',
  'src/old.js': 'module.exports = 1;\n',
  'docs/obsolete.md': 'obsolete\n',
};

/** A git-style diff: modify, add, delete and rename. */
const gitDiff = `diff --git a/src/app.js b/src/app.js
--- a/src/app.js
+++ b/src/app.js
@@ -1,3 +1,3 @@
 const a = 1;
-const b = 2;
+const b = 40;
 console.log(a + b);
diff --git a/src/new.js b/src/new.js
new file mode 100644
--- /dev/null
+++ b/src/new.js
@@ -0,0 +1,2 @@
+export const x = 1;
+export const y = 2;
diff --git a/docs/obsolete.md b/docs/obsolete.md
deleted file mode 100644
--- a/docs/obsolete.md
+++ /dev/null
@@ -1 +0,0 @@
-obsolete
diff --git a/src/old.js b/src/renamed.js
similarity index 100%
rename from src/old.js
rename to src/renamed.js
`;

describe('patcher manifest', () => {
  test('is a valid builtin manifest with risk high and schemas for every action', () => {
    const result = validateAgentManifest(manifest);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.agent.risk, 'high');
    assert.equal(result.agent.type, 'builtin');
    assert.deepEqual(Object.keys(result.agent.actions).sort(), ['apply', 'createFixPR', 'preview']);
  });

  test('the README example is a valid workflow for this manifest', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const yaml = /## Example\n+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(yaml, 'README has an example workflow');
    const agent = validateAgentManifest(manifest);
    assert.ok(agent.ok);
    const result = loadWorkflow(yaml, {
      agents: (name) => (name === 'patcher' ? agent.agent : undefined),
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  });
});

describe('patcher apply on a local repository', () => {
  let ws: TestWorkspace;
  before(() => (ws = createWorkspace()));
  after(() => ws.cleanup());

  test('commits a unified diff on a new branch without touching the checkout', async () => {
    const repo = ws.repo('shop', files);
    // The user is mid-work: a modified tracked file and an untracked one.
    writeFileSync(join(repo, 'README.md'), '# shop (editing)\n');
    writeFileSync(join(repo, 'notes.txt'), 'todo\n');
    const before = checkoutState(ws, repo);
    const ctx = testContext();
    const out = (await ws.actions.apply!(
      {
        repository: 'shop',
        diff: gitDiff,
        message: 'Fix b\n\nThe value of b was wrong.',
        author: { name: 'Ada Lovelace', email: 'ada@example.com' },
      },
      ctx,
    )) as ApplyOutput;
    assertOutput('apply', out);
    assert.equal(out.branch, 'cc/5f0c2a9e-fix');
    assert.equal(out.baseBranch, 'main');
    assert.equal(out.pushed, false);
    assert.equal(out.resumed, false);
    assert.deepEqual(
      [...out.filesChanged].sort((a, b) => a.path.localeCompare(b.path)),
      [
        { path: 'docs/obsolete.md', status: 'deleted', additions: 0, deletions: 1 },
        { path: 'src/app.js', status: 'modified', additions: 1, deletions: 1 },
        { path: 'src/new.js', status: 'added', additions: 2, deletions: 0 },
        {
          path: 'src/renamed.js',
          status: 'renamed',
          previousPath: 'src/old.js',
          additions: 0,
          deletions: 0,
        },
      ],
    );
    assert.equal(ws.git(repo, 'rev-parse', out.branch).trim(), out.commit);
    assert.equal(ws.git(repo, 'rev-parse', `${out.branch}^`).trim(), before.head);
    const log = ws.git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%B', out.branch);
    const [author, committer, body] = log.split('|');
    assert.equal(author, 'Ada Lovelace <ada@example.com>');
    assert.equal(committer, 'CommandCenter <commandcenter@localhost>');
    assert.match(
      body!,
      /^Fix b\n\nThe value of b was wrong\.\n\nCommandCenter-Step: 5f0c2a9e-[^:]+:fix\n/,
    );
    assert.equal(
      ws.git(repo, 'show', `${out.branch}:src/app.js`),
      'const a = 1;\nconst b = 40;\nconsole.log(a + b);\n',
    );
    assert.equal(
      ws.git(repo, 'ls-tree', '-r', '--name-only', out.branch),
      'README.md\nsrc/app.js\nsrc/new.js\nsrc/renamed.js\n',
    );
    assert.deepEqual(checkoutState(ws, repo), before, 'the user checkout must be unchanged');
    assert.equal(readFileSync(join(repo, 'README.md'), 'utf8'), '# shop (editing)\n');
    assert.equal(ws.scratchLeft(), false, 'the temporary worktree must be removed');
    assert.ok(
      ctx.logs.some((l) => l.includes(`committed ${out.commit}`)),
      ctx.logs.join('\n'),
    );
  });

  test('applies structured changes: write, delete, rename, base64 content', async () => {
    const repo = ws.repo('structured', files);
    const before = checkoutState(ws, repo);
    const out = (await ws.actions.apply!(
      {
        repository: repo,
        branch: 'feature/structured',
        message: 'Restructure',
        changes: [
          { path: 'src/app.js', action: 'write', content: 'console.log(42);\n' },
          { path: 'lib/deep/new.txt', action: 'write', content: 'hello\n' },
          { path: 'bin/blob.bin', action: 'write', content: 'AAEC/w==', encoding: 'base64' },
          { path: 'docs/obsolete.md', action: 'delete' },
          { path: 'src/old.js', action: 'rename', to: 'lib/old.js' },
        ],
      },
      testContext({ key: 'restructure' }),
    )) as ApplyOutput;
    assertOutput('apply', out);
    assert.equal(out.branch, 'feature/structured');
    const tree = ws.git(repo, 'ls-tree', '-r', '--name-only', out.branch).trim().split('\n');
    assert.deepEqual(tree, [
      'README.md',
      'bin/blob.bin',
      'lib/deep/new.txt',
      'lib/old.js',
      'src/app.js',
    ]);
    assert.equal(ws.git(repo, 'show', `${out.branch}:src/app.js`), 'console.log(42);\n');
    const blob = ws.git(repo, 'cat-file', '-p', `${out.branch}:bin/blob.bin`);
    assert.equal(Buffer.from(blob, 'latin1').length, 4);
    const statuses = Object.fromEntries(out.filesChanged.map((f) => [f.path, f.status]));
    assert.equal(statuses['lib/old.js'], 'renamed');
    assert.equal(statuses['docs/obsolete.md'], 'deleted');
    assert.equal(statuses['bin/blob.bin'], 'added');
    assert.deepEqual(checkoutState(ws, repo), before);
  });

  test('applies a diff without a/ b/ prefixes onto a given base branch', async () => {
    const repo = ws.repo('noprefix', files);
    ws.git(repo, 'branch', 'release');
    const diff =
      '--- src/app.js\n+++ src/app.js\n@@ -1,3 +1,3 @@\n const a = 1;\n-const b = 2;\n+const b = 3;\n console.log(a + b);\n';
    const out = (await ws.actions.apply!(
      { repository: repo, baseBranch: 'release', diff, message: 'b = 3' },
      testContext({ key: 'np' }),
    )) as ApplyOutput;
    assert.equal(out.baseBranch, 'release');
    assert.match(ws.git(repo, 'show', `${out.branch}:src/app.js`), /const b = 3;/);
  });

  test('a diff that does not apply fails with git’s message and creates no branch', async () => {
    const repo = ws.repo('stale', files);
    const diff =
      '--- a/src/app.js\n+++ b/src/app.js\n@@ -1,2 +1,2 @@\n const a = 1;\n-const b = 7;\n+const b = 8;\n';
    const failure = await failureOf(
      ws.actions.apply!({ repository: repo, diff, message: 'x' }, testContext()),
    );
    assert.equal(failure.retryable, false);
    assert.match(failure.message, /does not apply/);
    assert.match(failure.message, /patch failed: src\/app\.js:1/);
    assert.equal(ws.git(repo, 'branch', '--list', 'cc/*'), '');
    assert.equal(ws.scratchLeft(), false);
  });

  test('an empty change is "nothing to commit"', async () => {
    const repo = ws.repo('same', files);
    const failure = await failureOf(
      ws.actions.apply!(
        {
          repository: repo,
          message: 'x',
          changes: [{ path: 'README.md', action: 'write', content: '# shop\n' }],
        },
        testContext(),
      ),
    );
    assert.equal(failure.retryable, false);
    assert.match(failure.message, /nothing to commit/);
  });

  test('an existing branch is refused, or committed on top of with reuseBranch', async () => {
    const repo = ws.repo('reuse', files);
    ws.git(repo, 'branch', 'fix');
    const input = {
      repository: repo,
      branch: 'fix',
      message: 'more',
      changes: [{ path: 'more.txt', action: 'write', content: 'more\n' }],
    };
    const failure = await failureOf(ws.actions.apply!(input, testContext()));
    assert.equal(failure.retryable, false);
    assert.match(failure.message, /branch "fix" already exists; set reuseBranch: true/);
    const tip = ws.git(repo, 'rev-parse', 'fix').trim();
    const out = (await ws.actions.apply!(
      { ...input, reuseBranch: true },
      testContext(),
    )) as ApplyOutput;
    assert.equal(ws.git(repo, 'rev-parse', `${out.commit}^`).trim(), tip);
  });

  test('a retried attempt finds its own commit and returns the same result', async () => {
    const repo = ws.repo('retry', files);
    const input = {
      repository: repo,
      message: 'Once',
      changes: [{ path: 'once.txt', action: 'write', content: '1\n' }],
    };
    const first = (await ws.actions.apply!(input, testContext({ attempt: 1 }))) as ApplyOutput;
    const second = (await ws.actions.apply!(input, testContext({ attempt: 2 }))) as ApplyOutput;
    assertOutput('apply', second);
    assert.equal(second.resumed, true);
    assert.equal(second.commit, first.commit);
    assert.deepEqual(second.filesChanged, first.filesChanged);
    assert.equal(ws.git(repo, 'rev-list', '--count', `main..${first.branch}`).trim(), '1');
    // Another step (another idempotency key) with the same branch name is refused.
    const other = await failureOf(
      ws.actions.apply!({ ...input, branch: first.branch }, testContext({ key: 'other' })),
    );
    assert.match(other.message, /already exists/);
  });

  test('preview reports the change and the diff without creating anything', async () => {
    const repo = ws.repo('preview', files);
    const before = checkoutState(ws, repo);
    const out = (await ws.actions.preview!(
      { repository: repo, diff: gitDiff, message: 'Fix b' },
      testContext({ key: 'check' }),
    )) as PreviewOutput;
    assertOutput('preview', out);
    assert.equal(out.branch, 'cc/5f0c2a9e-check');
    assert.equal(out.baseCommit, before.head);
    assert.equal(out.branchExists, false);
    assert.equal(out.filesChanged.length, 4);
    assert.match(out.diff, /^-const b = 2;$/m);
    assert.match(out.diff, /^\+const b = 40;$/m);
    assert.equal(out.diffTruncated, false);
    assert.equal(ws.git(repo, 'branch', '--list', 'cc/*'), '');
    assert.deepEqual(checkoutState(ws, repo), before);
    assert.equal(existsSync(join(repo, 'src/new.js')), false);
  });

  test('input mistakes are final failures that say what to fix', async () => {
    const repo = ws.repo('input', files);
    const both = await failureOf(
      ws.actions.apply!(
        {
          repository: repo,
          message: 'x',
          diff: gitDiff,
          changes: [{ path: 'a', action: 'delete' }],
        },
        testContext(),
      ),
    );
    assert.equal(both.retryable, false);
    assert.match(both.message, /exactly one of diff .* and changes .*; both are given/);
    const author = await failureOf(
      ws.actions.apply!(
        { repository: repo, message: 'x', diff: gitDiff, author: { name: 'A <b>', email: 'a@b' } },
        testContext(),
      ),
    );
    assert.match(author.message, /input\.author\.name/);
    const branch = await failureOf(
      ws.actions.apply!(
        { repository: repo, message: 'x', diff: gitDiff, branch: 'a..b' },
        testContext(),
      ),
    );
    assert.match(branch.message, /branch "a\.\.b" is not a valid branch name/);
    const b64 = await failureOf(
      ws.actions.apply!(
        {
          repository: repo,
          message: 'x',
          changes: [{ path: 'f.bin', action: 'write', content: 'not base64!', encoding: 'base64' }],
        },
        testContext(),
      ),
    );
    assert.match(b64.message, /changes\[0\]\.content is not valid base64/);
  });

  test('a cancelled attempt removes its worktree and leaves no branch', async () => {
    const repo = ws.repo('cancel', files);
    const before = checkoutState(ws, repo);
    const ctx = testContext();
    // Cancel right after the change is applied in the worktree, before the commit.
    const log = ctx.log;
    ctx.log = (line) => {
      log(line);
      if (line.includes('file(s) changed')) ctx.controller.abort(new Error('run cancelled'));
    };
    await assert.rejects(
      Promise.resolve(ws.actions.apply!({ repository: repo, diff: gitDiff, message: 'x' }, ctx)),
      /cancelled/,
    );
    assert.equal(ws.git(repo, 'branch', '--list', 'cc/*'), '');
    assert.deepEqual(checkoutState(ws, repo), before);
    assert.equal(ws.scratchLeft(), false);
  });

  test('a missing git binary is a final failure that says how to fix it', async () => {
    const repo = ws.repo('nogit', files);
    const actions = createPatcherActions({
      workspaceRoots: [ws.root],
      gitPath: join(ws.root, 'no-git'),
    });
    const failure = await failureOf(
      actions.apply!({ repository: repo, diff: gitDiff, message: 'x' }, testContext()),
    );
    assert.equal(failure.retryable, false);
    assert.match(failure.message, /git was not found at .*set the patcher option gitPath/);
  });
});
