import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeLicense, licenseIds, parseLicenseExpression } from './spdx.js';

const lists = {
  allow: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'GPL-2.0 WITH Classpath-exception-2.0'],
  deny: ['GPL-3.0', 'AGPL-3.0'],
};

function judge(text: string): string {
  const expr = parseLicenseExpression(text);
  return expr === null ? 'unparsed' : judgeLicense(expr, lists);
}

test('parses ids, WITH, AND/OR precedence and parentheses', () => {
  assert.deepEqual(parseLicenseExpression('MIT'), { kind: 'license', id: 'MIT' });
  assert.deepEqual(parseLicenseExpression('MIT OR Apache-2.0 AND BSD-3-Clause'), {
    kind: 'or',
    parts: [
      { kind: 'license', id: 'MIT' },
      {
        kind: 'and',
        parts: [
          { kind: 'license', id: 'Apache-2.0' },
          { kind: 'license', id: 'BSD-3-Clause' },
        ],
      },
    ],
  });
  assert.deepEqual(parseLicenseExpression('(MIT or GPL-2.0-only WITH Classpath-exception-2.0)'), {
    kind: 'or',
    parts: [
      { kind: 'license', id: 'MIT' },
      { kind: 'license', id: 'GPL-2.0-only', exception: 'Classpath-exception-2.0' },
    ],
  });
  assert.deepEqual(licenseIds(parseLicenseExpression('(A AND B) OR C')!), ['A', 'B', 'C']);
});

test('rejects what is not an SPDX expression', () => {
  for (const text of [
    '',
    'SEE LICENSE IN LICENSE.txt',
    '(MIT',
    'MIT OR',
    'MIT AND AND ISC',
    'Apache 2.0 License',
    'MIT)',
  ]) {
    assert.equal(parseLicenseExpression(text), null, text);
  }
});

test('OR accepts when any branch is allowed; AND only when all parts are', () => {
  assert.equal(judge('MIT'), 'allowed');
  assert.equal(judge('mit'), 'allowed', 'ids compare case-insensitively');
  assert.equal(judge('GPL-3.0-only OR MIT'), 'allowed');
  assert.equal(judge('(MIT AND Apache-2.0)'), 'allowed');
  assert.equal(judge('MIT AND WTFPL'), 'not-allowed');
  assert.equal(judge('MIT AND GPL-3.0-or-later'), 'denied');
  assert.equal(
    judge('GPL-3.0+ OR AGPL-3.0-only'),
    'denied',
    '+, -only and -or-later are the same license',
  );
  assert.equal(judge('WTFPL OR GPL-3.0'), 'not-allowed', 'the best branch decides');
  assert.equal(judge('GPL-2.0-only WITH Classpath-exception-2.0'), 'allowed');
  assert.equal(judge('GPL-2.0-only'), 'not-allowed', 'the exception was what made it acceptable');
});
