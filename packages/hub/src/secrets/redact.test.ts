import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRedactor, REDACTED } from './redact.js';

describe('createRedactor', () => {
  test('replaces every occurrence of every value in text', () => {
    const r = createRedactor(['s3cr3t', 'tok-42']);
    assert.equal(r.text('a s3cr3t b s3cr3t c tok-42'), 'a *** b *** c ***');
    assert.equal(r.text('nothing here'), 'nothing here');
    assert.equal(REDACTED, '***');
  });

  test('longest value first: a value containing another is replaced whole', () => {
    const r = createRedactor(['abc', 'abcdef']);
    assert.equal(r.text('xabcdefx abc'), 'x***x ***');
  });

  test('regular-expression characters in values are literal', () => {
    const r = createRedactor(['a.b*c', '$(x)', 'p|q']);
    assert.equal(r.text('aXbc a.b*c $(x) p|q pq'), 'aXbc *** *** *** pq');
  });

  test('empty values are skipped; no values means identity', () => {
    const none = createRedactor(['', '']);
    const v = { a: 'x' };
    assert.equal(none.value(v), v);
    assert.equal(none.text('x'), 'x');
    assert.equal(createRedactor(['', 'k']).text('kk'), '******');
  });

  test('the JSON-escaped form of a value is redacted too (logs of JSON text)', () => {
    const secret = 'pa"ss\\wo\nrd';
    const r = createRedactor([secret]);
    const line = `request ${JSON.stringify({ password: secret })}`;
    assert.ok(!line.includes(secret), 'the raw value is not in JSON text…');
    assert.equal(r.text(line), 'request {"password":"***"}');
    assert.equal(r.text(`raw ${secret}`), 'raw ***');
  });

  test('deep through arrays and objects, keys included, without mutating the input', () => {
    const r = createRedactor(['hunter2']);
    const input = {
      user: 'bob',
      auth: { password: 'hunter2', list: ['x', 'my hunter2 here', 3, true, null] },
      hunter2: 'as a key',
      untouched: { deep: ['a'] },
    };
    const copy = structuredClone(input);
    const out = r.value(input);
    assert.deepEqual(out, {
      user: 'bob',
      auth: { password: '***', list: ['x', 'my *** here', 3, true, null] },
      '***': 'as a key',
      untouched: { deep: ['a'] },
    });
    assert.deepEqual(input, copy, 'the input is not mutated');
    assert.equal(out.untouched, input.untouched, 'unchanged branches keep their reference');
  });

  test('returns the same reference when there is nothing to redact', () => {
    const r = createRedactor(['zzz']);
    const v = { a: [1, 'b', { c: 'd' }], e: null };
    assert.equal(r.value(v), v);
    const arr = ['x'];
    assert.equal(r.value(arr), arr);
    assert.equal(r.value('plain'), 'plain');
    assert.equal(r.value(42), 42);
    assert.equal(r.value(undefined), undefined);
  });

  test('a number whose text contains a value is replaced', () => {
    const r = createRedactor(['987654']);
    assert.deepEqual(r.value({ pin: 987654, n: 12, big: 19876543 }), {
      pin: '***',
      n: 12,
      big: '***',
    });
  });

  test('a __proto__ key is kept as data, never as the prototype', () => {
    const r = createRedactor(['s']);
    const v = JSON.parse('{"__proto__": {"x": "s"}}') as Record<string, unknown>;
    const out = r.value(v);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { x: '***' });
  });

  test('objects that are not plain JSON data are left alone', () => {
    const r = createRedactor(['x']);
    const d = new Date(0);
    assert.equal(r.value(d), d);
  });
});
