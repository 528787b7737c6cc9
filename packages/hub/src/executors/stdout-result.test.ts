import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStdoutResult } from './stdout-result.js';

test('the last non-empty line is the result; banners before it are ignored', () => {
  assert.deepEqual(parseStdoutResult('Agent v1\n{"output":1}\n\n  \n'), {
    kind: 'output',
    output: 1,
  });
  assert.deepEqual(parseStdoutResult('{"output":null}'), { kind: 'output', output: null });
});

test('error results: retryable defaults to true, code and details are kept', () => {
  assert.deepEqual(parseStdoutResult('{"error":{"message":"nope"}}'), {
    kind: 'error',
    message: 'nope',
    retryable: true,
  });
  assert.deepEqual(
    parseStdoutResult(
      '{"error":{"message":"m","retryable":false,"code":"X","details":{"a":1}},"output":2}',
    ),
    { kind: 'error', message: 'm', retryable: false, code: 'X', details: { a: 1 } },
  );
  assert.deepEqual(parseStdoutResult('{"error":"plain text"}'), {
    kind: 'error',
    message: 'plain text',
    retryable: true,
  });
  assert.deepEqual(parseStdoutResult('{"error":{}}'), {
    kind: 'error',
    message: 'the agent reported an error without a message',
    retryable: true,
  });
});

test('invalid results say why and quote at most 200 characters', () => {
  assert.deepEqual(parseStdoutResult(''), {
    kind: 'invalid',
    reason: 'the agent printed no result line on stdout',
    excerpt: '',
  });
  assert.deepEqual(parseStdoutResult('[1,2]'), {
    kind: 'invalid',
    reason: 'the result line is not a JSON object',
    excerpt: '[1,2]',
  });
  assert.deepEqual(parseStdoutResult('{"error":null}'), {
    kind: 'invalid',
    reason: 'the result line has neither "output" nor "error"',
    excerpt: '{"error":null}',
  });
  const parsed = parseStdoutResult('x'.repeat(500));
  assert.equal(parsed.kind, 'invalid');
  assert.equal(parsed.kind === 'invalid' && parsed.excerpt.length, 200);
});
