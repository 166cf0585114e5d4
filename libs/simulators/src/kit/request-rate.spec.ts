import { RequestRateLog } from './request-rate';

describe('RequestRateLog', () => {
  it('keeps the most requests any one-second window held, per account', () => {
    const log = new RequestRateLog();
    // Three at 0-200 ms, three more at 900-999 ms: six inside one second.
    for (const at of [0, 100, 200, 900, 950, 999]) log.record('a', at);
    // Spread out afterwards: never more than two in a second.
    for (const at of [3_000, 3_600, 4_200, 4_800]) log.record('a', at);
    log.record('b', 50);
    expect(log.snapshot()).toEqual({
      a: { received: 10, maxInAnySecond: 6 },
      b: { received: 1, maxInAnySecond: 1 },
    });
  });

  it('counts a window that starts between two requests, not only at whole seconds', () => {
    const log = new RequestRateLog();
    // Fixed windows [0,1000) and [1000,2000) each hold two; the window (500, 1500] holds four.
    for (const at of [100, 600, 900, 1_100, 1_400, 1_900]) log.record('a', at);
    expect(log.snapshot().a.maxInAnySecond).toBe(4);
  });

  it('does not count two requests exactly one second apart in one window', () => {
    const log = new RequestRateLog();
    for (const at of [0, 1_000, 2_000]) log.record('a', at);
    expect(log.snapshot().a.maxInAnySecond).toBe(1);
  });

  it('forgets everything on clear', () => {
    const log = new RequestRateLog();
    log.record('a', 0);
    log.clear();
    expect(log.snapshot()).toEqual({});
  });
});
