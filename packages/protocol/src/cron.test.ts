import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCron } from './cron.js';
import { formatDuration, parseDuration } from './duration.js';

describe('checkCron', () => {
  it('accepts well-formed expressions and macros', () => {
    for (const expr of [
      '0 3 * * *',
      '*/15 * * * *',
      '0 9-17/2 * * MON-FRI',
      '30 0 1,15 jan,jul ?',
      '0 0 0 * * 7',
      '@daily',
      '@HOURLY',
    ]) {
      assert.equal(checkCron(expr), undefined, expr);
    }
  });

  it('explains what is wrong', () => {
    assert.match(checkCron('* * * *')!, /has 4 fields/);
    assert.match(checkCron('60 * * * *')!, /minute field "60": "60" is not a value in 0-59/);
    assert.match(checkCron('0 0 32 * *')!, /day-of-month/);
    assert.match(checkCron('0 0 * 13 *')!, /month field/);
    assert.match(checkCron('0 0 * * FUNDAY')!, /day-of-week field/);
    assert.match(checkCron('0 5-1 * * *')!, /starts after it ends/);
    assert.match(checkCron('*/0 * * * *')!, /step must be at least 1/);
    assert.match(checkCron('? * * * *')!, /only allowed in the day fields/);
    assert.match(checkCron('1,,2 * * * *')!, /empty list item/);
    assert.match(checkCron('@reboot')!, /unknown cron macro/);
  });
});

describe('parseDuration', () => {
  it('parses units and combinations', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2s'), 2000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1.5d'), 129_600_000);
    assert.equal(parseDuration('0s'), 0);
  });

  it('rejects garbage, negatives, bare numbers and other units', () => {
    for (const text of ['', '30', '-5s', '5 s', '5sec', '1w', 'soon', '1h-5m', 's']) {
      assert.equal(parseDuration(text), undefined, text);
    }
    assert.equal(parseDuration(`${'9'.repeat(30)}d`), undefined);
  });

  it('formats milliseconds compactly', () => {
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(1500), '1s500ms');
    assert.equal(formatDuration(0), '0s');
  });
});
