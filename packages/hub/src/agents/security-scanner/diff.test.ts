import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUnifiedDiff } from './diff.js';

const key = 'AKIA' + 'IOSFODNN7EXAMPLE';

const diff = [
  'diff --git a/src/app.ts b/src/app.ts',
  'index 83db48f..bf269f4 100644',
  '--- a/src/app.ts',
  '+++ b/src/app.ts',
  '@@ -10,4 +10,4 @@ export function main() {',
  '   const a = 1;',
  '-  const b = 2;',
  '--- this removed line looks like a header',
  `+  const key = "${key}";`,
  '+  const c = 3;',
  '   return a;',
  '@@ -40,0 +42,1 @@',
  '+// last line',
  '\\ No newline at end of file',
  'diff --git a/old.txt b/old.txt',
  'deleted file mode 100644',
  '--- a/old.txt',
  '+++ /dev/null',
  '@@ -1 +0,0 @@',
  '-gone',
  'diff --git a/new file.md b/new file.md',
  'new file mode 100644',
  '--- /dev/null',
  '+++ "b/new file.md"',
  '@@ -0,0 +1,2 @@',
  '+# Title',
  '+++ not a header: an added line starting with ++',
].join('\n');

test('added lines are numbered as in the new file; removed and deleted files add nothing', () => {
  assert.deepEqual(parseUnifiedDiff(diff), [
    {
      path: 'src/app.ts',
      lines: [
        { number: 11, text: `  const key = "${key}";` },
        { number: 12, text: '  const c = 3;' },
        { number: 42, text: '// last line' },
      ],
    },
    {
      path: 'new file.md',
      lines: [
        { number: 1, text: '# Title' },
        { number: 2, text: '++ not a header: an added line starting with ++' },
      ],
    },
  ]);
});

test('plain `diff -u` headers with timestamps work too', () => {
  const plain = [
    '--- config.yml\t2024-01-01 10:00:00',
    '+++ config.yml\t2024-01-02 10:00:00',
    '@@ -1,1 +1,2 @@',
    ' a: 1',
    '+b: 2',
  ].join('\n');
  assert.deepEqual(parseUnifiedDiff(plain), [
    { path: 'config.yml', lines: [{ number: 2, text: 'b: 2' }] },
  ]);
  assert.deepEqual(parseUnifiedDiff('not a diff at all'), []);
});
