import { checkPlan, cronPatternOf, nextFireTimes, ScheduleError } from './schedule-plan';

describe('schedule plans', () => {
  const from = new Date('2026-11-23T10:00:00Z'); // a Monday

  it('runs a cron with seconds in its time zone', () => {
    const plan = { kind: 'cron' as const, cron: '30 0 9 * * *', timeZone: 'Asia/Shanghai' };
    expect(nextFireTimes(plan, 2, from).map((date) => date.toISOString())).toEqual([
      '2026-11-24T01:00:30.000Z',
      '2026-11-25T01:00:30.000Z',
    ]);
  });

  it('turns a weekly plan into a cron on chosen days at HH:MM', () => {
    const plan = { kind: 'weekly' as const, weekdays: ['fri', 'mon'], timeOfDay: '08:15', timeZone: 'UTC' };
    expect(cronPatternOf(plan)).toBe('0 15 8 * * 1,5');
    expect(nextFireTimes(plan, 3, from).map((date) => date.toISOString())).toEqual([
      '2026-11-27T08:15:00.000Z',
      '2026-11-30T08:15:00.000Z',
      '2026-12-04T08:15:00.000Z',
    ]);
  });

  it('has one fire time for a one-off plan, none once it has passed', () => {
    const runAt = new Date('2026-12-01T00:00:00Z');
    expect(nextFireTimes({ kind: 'once', runAt, timeZone: 'UTC' }, 5, from)).toEqual([runAt]);
    expect(nextFireTimes({ kind: 'once', runAt, timeZone: 'UTC' }, 5, new Date('2027-01-01T00:00:00Z'))).toEqual([]);
  });

  it.each([
    [{ kind: 'cron' as const, cron: 'not a cron', timeZone: 'UTC' }, 'cron'],
    [{ kind: 'cron' as const, cron: '* * *', timeZone: 'UTC' }, 'cron'],
    [{ kind: 'cron' as const, cron: '* * * * *', timeZone: 'Mars/Base' }, 'timeZone'],
    [{ kind: 'once' as const, timeZone: 'UTC' }, 'runAt'],
    [{ kind: 'weekly' as const, weekdays: [], timeOfDay: '10:00', timeZone: 'UTC' }, 'weekdays'],
    [{ kind: 'weekly' as const, weekdays: ['mon'], timeOfDay: '25:00', timeZone: 'UTC' }, 'timeOfDay'],
  ])('refuses %j naming %s', (plan, field) => {
    expect(() => checkPlan(plan)).toThrow(ScheduleError);
    try {
      checkPlan(plan);
    } catch (error) {
      expect((error as ScheduleError).field).toBe(field);
    }
  });
});
