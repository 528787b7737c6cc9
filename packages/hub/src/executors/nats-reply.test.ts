import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interpretNatsReply, type NatsReply } from './nats-reply.js';

const subject = 'cc.demo.agent.x';

function reply(body: string, headers: Record<string, string> = {}, code = 0): NatsReply {
  return {
    data: new TextEncoder().encode(body),
    headers: {
      get: (name) => headers[name] ?? '',
      code,
      hasError: code >= 400,
    },
  };
}

describe('interpretNatsReply', () => {
  test('{ output } succeeds, a missing output value is null', () => {
    assert.deepEqual(interpretNatsReply(reply('{"output":{"a":1}}'), subject), {
      ok: true,
      output: { a: 1 },
    });
    assert.deepEqual(interpretNatsReply(reply('{"output":null}'), subject), {
      ok: true,
      output: null,
    });
  });

  test('{ error } is an agent error, retryable unless it says otherwise', () => {
    const r = interpretNatsReply(reply('{"error":{"message":"rate limited"}}'), subject);
    assert.deepEqual(r, {
      ok: false,
      error: {
        type: 'agent',
        code: 'CC_E_AGENT_ERROR',
        retryable: true,
        message: 'rate limited',
        details: { subject },
      },
    });
    const plain = interpretNatsReply(reply('{"error":"bad input","output":1}'), subject);
    assert.equal(plain.ok, false);
    assert.equal(!plain.ok && plain.error.message, 'bad input');
  });

  test('a 503 status without data means no responders', () => {
    const r = interpretNatsReply(reply('', {}, 503), subject);
    assert.equal(!r.ok && r.error.code, 'CC_E_AGENT_UNAVAILABLE');
    assert.match((!r.ok && r.error.message) || '', /no NATS service listens on cc\.demo\.agent\.x/);
  });

  test('service error headers win over the body', () => {
    const r = interpretNatsReply(
      reply('{"output":1}', {
        'Nats-Service-Error': 'bad request',
        'Nats-Service-Error-Code': '400',
      }),
      subject,
    );
    assert.equal(!r.ok && r.error.retryable, false);
    assert.match((!r.ok && r.error.message) || '', /answered with error 400: bad request/);
  });

  test('JSON that is not a result object breaks the protocol', () => {
    for (const [body, reason] of [
      ['[1,2]', 'not a JSON object'],
      ['{"result":1}', 'neither "output" nor "error"'],
      ['', 'not valid JSON'],
    ] as const) {
      const r = interpretNatsReply(reply(body), subject);
      assert.equal(!r.ok && r.error.code, 'CC_E_AGENT_PROTOCOL', body);
      assert.ok(!r.ok && r.error.message.includes(reason), body);
    }
  });
});
