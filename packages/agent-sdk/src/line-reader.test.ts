import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLines } from './line-reader.js';

async function lines(chunks: (string | Buffer)[]): Promise<string[]> {
  async function* source() {
    yield* chunks;
  }
  const out: string[] = [];
  for await (const line of readLines(source())) out.push(line);
  return out;
}

test('splits on \\n only, across chunks; CRLF and a last line without newline are handled', async () => {
  assert.deepEqual(await lines(['a\nb', 'c\r\nd\u2028e\rf\n', 'last']), [
    'a',
    'bc',
    'd\u2028e\rf',
    'last',
  ]);
});

test('a multi-byte character split across chunks survives', async () => {
  const bytes = Buffer.from('é\n');
  assert.deepEqual(await lines([bytes.subarray(0, 1), bytes.subarray(1)]), ['é']);
});

test('empty lines are yielded; an empty stream yields nothing', async () => {
  assert.deepEqual(await lines(['\n\nx\n']), ['', '', 'x']);
  assert.deepEqual(await lines([]), []);
});
