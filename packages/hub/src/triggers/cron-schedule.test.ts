import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planCron, type CronPlanInput } from './cron-plan.js';
import { CronSchedule, CronScheduleError } from './cron-schedule.js';

const at = (s: string) => Date.parse(s);
const isos = (ticks: readonly (number | null)[]) =>
  ticks.map((t) => (t === null ? null : new Date(t).toISOString()));

describe('cron schedule (croner)', () => {
  test('0 9 * * * in Europe/Paris stays at 09:00 local across the spring and autumn DST changes', () => {
    const s = new CronSchedule({ cron: '0 9 * * *', timezone: 'Europe/Paris' });
    // Summer time starts on Sunday 2025-03-30: 09:00 CET is 08:00Z, 09:00 CEST is 07:00Z.
    const spring = s.between(at('2025-03-28T12:00:00Z'), at('2025-03-31T12:00:00Z'), 10);
    assert.deepEqual(isos(spring!), [
      '2025-03-29T08:00:00.000Z',
      '2025-03-30T07:00:00.000Z',
      '2025-03-31T07:00:00.000Z',
    ]);
    // It ends on Sunday 2025-10-26: 09:00 is 07:00Z on Saturday, 08:00Z from Sunday on.
    const autumn = s.between(at('2025-10-24T12:00:00Z'), at('2025-10-27T12:00:00Z'), 10);
    assert.deepEqual(isos(autumn!), [
      '2025-10-25T07:00:00.000Z',
      '2025-10-26T08:00:00.000Z',
      '2025-10-27T08:00:00.000Z',
    ]);
  });

  test('a daily time in the spring gap runs just after it; in the autumn overlap it runs once', () => {
    const s = new CronSchedule({ cron: '30 2 * * *', timezone: 'Europe/Paris' });
    // 02:30 does not exist on 2025-03-30 (02:00 → 03:00): 03:00 CEST, 01:00Z.
    assert.deepEqual(isos(s.between(at('2025-03-29T00:00:00Z'), at('2025-03-31T12:00:00Z'), 5)!), [
      '2025-03-29T01:30:00.000Z',
      '2025-03-30T01:00:00.000Z',
      '2025-03-31T00:30:00.000Z',
    ]);
    // 02:30 happens twice on 2025-10-26 (CEST, then CET): the first only.
    assert.deepEqual(isos(s.between(at('2025-10-25T00:00:00Z'), at('2025-10-27T12:00:00Z'), 5)!), [
      '2025-10-25T00:30:00.000Z',
      '2025-10-26T00:30:00.000Z',
      '2025-10-27T01:30:00.000Z',
    ]);
  });

  test('without a time zone the expression is read in UTC', () => {
    const s = new CronSchedule({ cron: '0 9 * * *' });
    assert.equal(s.next(at('2025-03-30T00:00:00Z')), at('2025-03-30T09:00:00Z'));
  });

  test('next is strictly after; latest is at or before; both on whole seconds', () => {
    const s = new CronSchedule({ cron: '*/15 * * * *' });
    assert.equal(s.next(at('2025-01-01T10:15:00Z')), at('2025-01-01T10:30:00Z'));
    assert.equal(s.next(at('2025-01-01T10:14:59.999Z')), at('2025-01-01T10:15:00Z'));
    assert.equal(s.latest(at('2025-01-01T10:15:00Z')), at('2025-01-01T10:15:00Z'));
    assert.equal(s.latest(at('2025-01-01T10:14:59.999Z')), at('2025-01-01T10:00:00Z'));
  });

  test('6 fields have seconds first; macros are accepted in any case', () => {
    const seconds = new CronSchedule({ cron: '*/1 * * * * *' });
    assert.deepEqual(
      isos(seconds.between(at('2025-01-01T00:00:00.400Z'), at('2025-01-01T00:00:03Z'), 5)!),
      ['2025-01-01T00:00:01.000Z', '2025-01-01T00:00:02.000Z', '2025-01-01T00:00:03.000Z'],
    );
    const from = at('2025-01-01T00:30:00Z');
    const next = (cron: string) => new Date(new CronSchedule({ cron }).next(from)!).toISOString();
    assert.equal(next('@hourly'), '2025-01-01T01:00:00.000Z');
    assert.equal(next('@DAILY'), '2025-01-02T00:00:00.000Z');
    assert.equal(next('@midnight'), '2025-01-02T00:00:00.000Z');
    assert.equal(next('@weekly'), '2025-01-05T00:00:00.000Z');
    assert.equal(next('@monthly'), '2025-02-01T00:00:00.000Z');
    assert.equal(next('@yearly'), '2026-01-01T00:00:00.000Z');
  });

  test('day-of-month and day-of-week combine with OR; "?" in a day field means any day', () => {
    const days = (cron: string) =>
      isos(
        new CronSchedule({ cron }).between(
          at('2025-01-01T00:00:00Z'),
          at('2025-02-04T00:00:00Z'),
          20,
        )!,
      ).map((d) => d!.slice(0, 10));
    assert.deepEqual(days('0 0 1 * MON'), [
      '2025-01-06',
      '2025-01-13',
      '2025-01-20',
      '2025-01-27',
      '2025-02-01',
      '2025-02-03',
    ]);
    assert.deepEqual(days('0 0 ? * SUN'), [
      '2025-01-05',
      '2025-01-12',
      '2025-01-19',
      '2025-01-26',
      '2025-02-02',
    ]);
  });

  test('between returns null past its limit', () => {
    const s = new CronSchedule({ cron: '* * * * * *' });
    assert.equal(s.between(0, 10_000, 9), null);
    assert.equal(s.between(0, 10_000, 10)!.length, 10);
  });

  test('an unusable expression or time zone is a CronScheduleError that says what to fix', () => {
    assert.throws(
      () => new CronSchedule({ cron: '0 9 * * *', timezone: 'Mars/Olympus' }),
      (e: unknown) =>
        e instanceof CronScheduleError &&
        /time zone "Mars\/Olympus" is not a known IANA/.test(e.message),
    );
    assert.throws(
      () => new CronSchedule({ cron: '* * * * * * *' }),
      (e: unknown) =>
        e instanceof CronScheduleError &&
        /cron expression "\* \* \* \* \* \* \*" cannot be scheduled: .*5 or 6/.test(e.message),
    );
  });
});

describe('cron plan', () => {
  const minute = new CronSchedule({ cron: '* * * * *' });
  const T = at('2025-06-01T12:00:00Z');
  const plan = (p: Partial<CronPlanInput>) =>
    planCron({
      schedule: minute,
      now: T,
      since: T - 60_000,
      paused: false,
      catchUp: 'run',
      graceMs: 60_000,
      maxLateTicks: 60,
      ...p,
    });

  test('nothing due: only the next tick', () => {
    assert.deepEqual(plan({ now: T - 1, since: T - 60_000 }), { fire: [], handled: null, next: T });
    assert.deepEqual(plan({ now: T + 30_000, since: T }), {
      fire: [],
      handled: null,
      next: T + 60_000,
    });
  });

  test('a tick due now fires; one that is late within the grace fires too', () => {
    assert.deepEqual(plan({}), { fire: [{ tick: T }], handled: T, next: T + 60_000 });
    assert.deepEqual(plan({ now: T + 1500 }), {
      fire: [{ tick: T }],
      handled: T,
      next: T + 60_000,
    });
  });

  test('a handover: every late tick within the grace fires, oldest first', () => {
    const seconds = new CronSchedule({ cron: '*/1 * * * * *' });
    const p = plan({ schedule: seconds, since: T, now: T + 4200 });
    assert.deepEqual(
      p.fire.map((f) => f.tick - T),
      [1000, 2000, 3000, 4000],
    );
    assert.equal(p.handled, T + 4000);
    assert.equal(p.next, T + 5000);
  });

  test('missed while down, catchUp run: one run, for the latest missed tick', () => {
    const p = plan({ since: T - 60_000, now: T + 10 * 60_000 + 30_000 });
    assert.deepEqual(p, {
      fire: [{ tick: T + 600_000, catchUp: { missedSince: T } }],
      handled: T + 600_000,
      next: T + 660_000,
    });
  });

  test('missed while down, catchUp skip: nothing fires, the latest missed tick is skipped', () => {
    const p = plan({ since: T - 60_000, now: T + 10 * 60_000 + 30_000, catchUp: 'skip' });
    assert.deepEqual(p, {
      fire: [],
      skip: { tick: T + 600_000, missedSince: T },
      handled: T + 600_000,
      next: T + 660_000,
    });
  });

  test('more late ticks than maxLateTicks count as missed', () => {
    const seconds = new CronSchedule({ cron: '*/1 * * * * *' });
    const p = plan({ schedule: seconds, since: T, now: T + 20_500, maxLateTicks: 10 });
    assert.deepEqual(p.fire, [{ tick: T + 20_000, catchUp: { missedSince: T + 1000 } }]);
  });

  test('paused: due ticks pass unfired but are handled; the next tick is still known', () => {
    assert.deepEqual(plan({ paused: true, now: T + 10 * 60_000 + 1 }), {
      fire: [],
      handled: T + 600_000,
      next: T + 660_000,
    });
  });

  test('an expression without future ticks has no next', () => {
    const never = new CronSchedule({ cron: '0 0 31 2 *' }); // 31 February
    assert.deepEqual(plan({ schedule: never }), { fire: [], handled: null, next: null });
  });
});
