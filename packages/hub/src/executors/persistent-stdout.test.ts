import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStdoutLineReader } from './persistent-stdout.js';

function read(chunks: string[], maxLineBytes = 10) {
  const lines: string[] = [];
  let overflows = 0;
  const reader = createStdoutLineReader(
    maxLineBytes,
    (line) => lines.push(line),
    () => (overflows += 1),
  );
  for (const chunk of chunks) reader.write(Buffer.from(chunk));
  return { lines, overflows };
}

test('lines are joined across chunks; CRLF is trimmed; an unfinished line waits', () => {
  assert.deepEqual(read(['{"a"', ':1}\r\n{"b":2}\n{"c"']), {
    lines: ['{"a":1}', '{"b":2}'],
    overflows: 0,
  });
});

test('a line of exactly maxLineBytes passes; one byte more overflows once, even unfinished', () => {
  assert.deepEqual(read(['0123456789\n']), { lines: ['0123456789'], overflows: 0 });
  assert.deepEqual(read(['01234', '567890', 'more\nlater\n']), { lines: [], overflows: 1 });
});

test('lines before an overflow are delivered; nothing after it', () => {
  assert.deepEqual(read(['ok\n', 'x'.repeat(11), '\nnext\n']), { lines: ['ok'], overflows: 1 });
});
