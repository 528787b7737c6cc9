import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPatcherActions } from './actions.js';
import type { FileChange } from './manifest.js';
import {
  checkoutState,
  createWorkspace,
  failureOf,
  testContext,
  type TestWorkspace,
} from './test-support.js';

describe('patcher refuses paths outside the repository before writing', () => {
  let ws: TestWorkspace;
  let outside: string;
  let repo: string;
  before(() => {
    ws = createWorkspace();
    outside = realpathSync(mkdtempSync(join(tmpdir(), 'cc-patcher-outside-')));
    repo = ws.repo('victim', { 'src/a.txt': 'a\n', 'keep/b.txt': 'b\n' });
    // A committed symbolic link to a directory outside the repository, and one to a file.
    symlinkSync(outside, join(repo, 'escape'));
    symlinkSync('/etc/hostname', join(repo, 'hostlink'));
    ws.git(repo, 'add', 'escape', 'hostlink');
    ws.git(repo, 'commit', '--quiet', '-m', 'links');
  });
  after(() => {
    ws.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  /** Runs apply, expects a non-retryable refusal, and checks nothing was written anywhere. */
  async function refused(input: Record<string, unknown>, pattern: RegExp): Promise<void> {
    const before = checkoutState(ws, repo);
    const ctx = testContext();
    const failure = await failureOf(
      ws.actions.apply!({ repository: repo, message: 'evil', ...input }, ctx),
    );
    assert.equal(failure.retryable, false, failure.message);
    assert.match(failure.message, pattern);
    assert.deepEqual(readdirSync(outside), [], 'nothing may be written outside the repository');
    assert.deepEqual(checkoutState(ws, repo), before);
    assert.equal(ws.git(repo, 'branch', '--list', 'cc/*'), '', 'no branch may be created');
    assert.equal(ws.scratchLeft(), false, 'the temporary worktree must be removed');
  }

  const write = (path: string): { changes: FileChange[] } => ({
    changes: [{ path, action: 'write', content: 'pwned\n' }],
  });

  test('".." segments', () => refused(write('../x'), /"\.\." segment/));
  test('".." deeper in the path', () => refused(write('src/../../x'), /"\.\." segment/));
  test('absolute paths', () => refused(write('/etc/passwd'), /absolute path/));
  test('paths into .git', () => refused(write('.git/hooks/post-commit'), /points into \.git/));
  test('.git in another case', () => refused(write('sub/.GIT/config'), /points into \.git/));
  test('NUL bytes', () => refused(write('src/a\0.txt'), /NUL byte/));
  test('a directory symlink leading out', () =>
    refused(write('escape/x.txt'), /symbolic link to .*outside the repository/));
  test('writing through a file symlink', () => refused(write('hostlink'), /symbolic link/));
  test('renaming into a symlinked directory', () =>
    refused(
      { changes: [{ path: 'src/a.txt', action: 'rename', to: 'escape/a.txt' }] },
      /changes\[0\]\.to .*outside the repository/,
    ));
  test('a bad path after good ones: nothing of the good ones is written either', () =>
    refused(
      {
        changes: [
          { path: 'ok.txt', action: 'write', content: 'ok\n' },
          { path: 'escape/late.txt', action: 'write', content: 'x\n' },
        ],
      },
      /changes\[1\]\.path/,
    ));

  const diffFor = (oldName: string, newName: string) =>
    `--- ${oldName}\n+++ ${newName}\n@@ -0,0 +1 @@\n+pwned\n`;

  test('diff headers with ../', () =>
    refused({ diff: diffFor('/dev/null', 'b/../x') }, /"\.\." segment/));
  test('diff headers with an absolute path', () =>
    refused({ diff: diffFor('/dev/null', '/tmp/x') }, /absolute path/));
  test('diff headers into .git', () =>
    refused({ diff: diffFor('/dev/null', 'b/.git/hooks/pre-commit') }, /points into \.git/));
  test('diff through a symlinked directory', () =>
    refused({ diff: diffFor('/dev/null', 'b/escape/x') }, /outside the repository/));
  test('diff creating a symbolic link', () =>
    refused(
      {
        diff:
          'diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n' +
          '@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n',
      },
      /symbolic links/,
    ));
  test('a git rename header leading out', () =>
    refused(
      {
        diff:
          'diff --git a/src/a.txt b/../moved.txt\nsimilarity index 100%\n' +
          'rename from src/a.txt\nrename to ../moved.txt\n',
      },
      /"\.\." segment/,
    ));
  test('text that is no diff at all', () =>
    refused({ diff: 'please fix the bug' }, /not a usable unified diff/));
});

describe('patcher refuses repositories outside the workspace roots', () => {
  let ws: TestWorkspace;
  let elsewhere: string;
  before(() => {
    ws = createWorkspace();
    elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'cc-patcher-elsewhere-')));
    ws.git(elsewhere, 'init', '--quiet');
  });
  after(() => {
    ws.cleanup();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  const attempt = (repository: string) =>
    failureOf(
      ws.actions.apply!(
        { repository, message: 'x', changes: [{ path: 'a', action: 'write', content: '' }] },
        testContext(),
      ),
    );

  test('a path outside every root', async () => {
    const f = await attempt(elsewhere);
    assert.match(f.message, /outside the workspace roots/);
  });
  test('a relative path climbing out of the root', async () => {
    const f = await attempt('../');
    assert.match(f.message, /outside the workspace roots/);
  });
  test('a symlink inside the root pointing out', async () => {
    symlinkSync(elsewhere, join(ws.root, 'link-out'));
    const f = await attempt('link-out');
    assert.match(f.message, /outside the workspace roots/);
  });
  test('a directory without its own repository inside a repository above the roots', async () => {
    // The root lies inside another repository: git would find that one, which is outside.
    const outer = realpathSync(mkdtempSync(join(tmpdir(), 'cc-patcher-outer-')));
    try {
      ws.git(outer, 'init', '--quiet');
      mkdirSync(join(outer, 'ws', 'plain'), { recursive: true });
      const actions = createPatcherActions({ workspaceRoots: [join(outer, 'ws')] });
      const f = await failureOf(
        actions.apply!(
          {
            repository: 'plain',
            message: 'x',
            changes: [{ path: 'a', action: 'write', content: '' }],
          },
          testContext(),
        ),
      );
      assert.match(f.message, new RegExp(`resolves to ${outer}, outside the workspace roots`));
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });
  test('URLs with credentials, ssh and unknown transports', async () => {
    assert.match((await attempt('https://user:hunter22@example.com/r.git')).message, /credentials/);
    assert.doesNotMatch(
      (await attempt('https://user:hunter22@example.com/r.git')).message,
      /hunter22/,
    );
    assert.match((await attempt('git@github.com:acme/api.git')).message, /ssh is not supported/);
    assert.match(
      (await attempt('ext::sh -c touch% /tmp/pwned')).message,
      /does not exist|transport/,
    );
    assert.match((await attempt('ssh://git@example.com/r.git')).message, /transport/);
  });
  test('a URL to a private address without an allowlist entry', async () => {
    const f = await attempt('https://127.0.0.1:9/r.git');
    assert.equal(f.code, 'CC_E_EGRESS_REFUSED');
    assert.equal(f.retryable, false);
  });
});
