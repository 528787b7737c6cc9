import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLineSplitter } from './line-splitter.js';

function split(chunks: (string | Buffer)[], maxLineBytes = 100) {
  const lines: [string, number][] = [];
  const splitter = createLineSplitter(maxLineBytes, (line, cut) => lines.push([line, cut]));
  for (const chunk of chunks) splitter.write(Buffer.from(chunk));
  splitter.end();
  return lines;
}

test('lines split across chunks are joined; CRLF and a missing last newline are handled', () => {
  assert.deepEqual(split(['one\ntw', 'o\r\nthr', 'ee']), [
    ['one', 0],
    ['two', 0],
    ['three', 0],
  ]);
});

test('empty lines are kept; nothing is emitted for an empty stream', () => {
  assert.deepEqual(split(['a\n\nb\n']), [
    ['a', 0],
    ['', 0],
    ['b', 0],
  ]);
  assert.deepEqual(split([]), []);
});

test('an over-long line keeps its head and counts the rest, across chunks', () => {
  assert.deepEqual(split(['abcdef', 'ghij', 'kl\nnext\n'], 4), [
    ['abcd', 8],
    ['next', 0],
  ]);
  assert.deepEqual(split(['abcdefgh'], 4), [['abcd', 4]]);
});

test('a multi-byte character split between chunks decodes intact', () => {
  const bytes = Buffer.from('héllo\n');
  assert.deepEqual(split([bytes.subarray(0, 2), bytes.subarray(2)]), [['héllo', 0]]);
});
