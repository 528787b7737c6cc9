import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGlob, compileGlobs } from './glob.js';

test('a pattern without a slash matches a name at any depth', () => {
  const pem = compileGlob('*.pem');
  assert.ok(pem('key.pem'));
  assert.ok(pem('deploy/certs/key.pem'));
  assert.ok(!pem('key.pem.txt'));
  const env = compileGlob('.env');
  assert.ok(env('.env') && env('apps/web/.env'));
  assert.ok(!env('.env.example'));
});

test('a pattern with a slash, or a leading slash, is anchored at the root', () => {
  const owners = compileGlob('.github/CODEOWNERS');
  assert.ok(owners('.github/CODEOWNERS'));
  assert.ok(!owners('docs/.github/CODEOWNERS'));
  const readme = compileGlob('/README.md');
  assert.ok(readme('README.md') && !readme('docs/README.md'));
  assert.ok(!compileGlob('README.md', { anchored: true })('docs/README.md'));
});

test('**, ?, classes, braces, directories and case-insensitivity', () => {
  const ts = compileGlob('src/**/*.ts');
  assert.ok(ts('src/a.ts') && ts('src/x/y/a.ts') && !ts('lib/a.ts'));
  assert.ok(compileGlob('file?.[ch]')('dir/file1.c'));
  assert.ok(compileGlob('*.{yml,yaml}')('ci.yaml'));
  assert.ok(compileGlob('{LICENSE,LICENCE}*', { anchored: true })('LICENCE.txt'));
  assert.ok(compileGlob('docs')('docs/guide/intro.md'), 'a directory pattern covers its files');
  assert.ok(compileGlob('readme*', { nocase: true, anchored: true })('README.md'));
  assert.ok(!compileGlob('readme*')('README.md'));
  assert.ok(compileGlobs(['*.md', '*.txt'])('a/b.txt'));
  assert.throws(() => compileGlob('src/[abc'), /unclosed "\["/);
  assert.throws(() => compileGlob('*.{js,ts'), /unclosed "\{"/);
});
