import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser, type SseMessage } from './sse.js';

function parseAll(chunks: string[], lastEventId?: string): SseMessage[] {
  const parser = new SseParser(lastEventId);
  return chunks.flatMap((c) => parser.push(c));
}

test('parses id, event and data lines; comments and unknown fields are ignored', () => {
  const messages = parseAll([
    ': keepalive\n\n',
    'id: 7\nevent: workflow.run.queued\ndata: {"a":1}\nfoo: bar\n\n',
    'data: plain\n\n',
  ]);
  assert.deepEqual(messages, [
    { id: '7', event: 'workflow.run.queued', data: '{"a":1}' },
    // No id field: the last event id carries over, as the standard says.
    { id: '7', event: 'message', data: 'plain' },
  ]);
});

test('joins several data lines with newlines and strips only one leading space', () => {
  assert.deepEqual(parseAll(['data:  two spaces\ndata:none\ndata\n\n']), [
    { id: '', event: 'message', data: ' two spaces\nnone\n' },
  ]);
});

test('handles lines split across chunks, and LF, CR and CRLF endings', () => {
  const text = 'id: 1\r\nevent: e\rdata: x\n\r\nid: 2\ndata: y\r\r';
  // Feed it one character at a time: every boundary case, including CR|LF split across chunks.
  assert.deepEqual(parseAll([...text]), [
    { id: '1', event: 'e', data: 'x' },
    { id: '2', event: 'message', data: 'y' },
  ]);
});

test('an incomplete message is not dispatched; a message without data only moves the id', () => {
  const parser = new SseParser('5');
  assert.deepEqual(parser.push('id: 6\n\ndata: half'), []);
  assert.equal(parser.lastEventId, '6');
  assert.deepEqual(parser.push('\n\n'), [{ id: '6', event: 'message', data: 'half' }]);
});

test('retry sets the reconnection delay only when it is a number; ids with NUL are ignored', () => {
  const parser = new SseParser();
  parser.push('retry: 250\nretry: soon\nid: a\0b\n\n');
  assert.equal(parser.retryMs, 250);
  assert.equal(parser.lastEventId, '');
});
