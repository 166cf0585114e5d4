import { InProcessRateLimiter } from './rate-limiter';

describe('InProcessRateLimiter', () => {
  afterEach(() => jest.useRealTimers());

  it('holds a slot until one second after its answer, so no more than the limit arrive in any second', async () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new InProcessRateLimiter();
    const limit = { perSecond: 2, maxRequestMs: 10_000 };
    const first = await limiter.acquire('a', limit);
    await limiter.acquire('a', limit);
    let third = false;
    const waiting = limiter.acquire('a', limit).then((slot) => ((third = true), slot));
    // The first request is answered only at 1.5 s: its slot is held until 2.5 s, not 1 s.
    await jest.advanceTimersByTimeAsync(1_500);
    await first.release();
    await jest.advanceTimersByTimeAsync(999);
    expect(third).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    expect(third).toBe(true);
    await waiting;
  });

  it('frees an unreleased slot after its request’s longest run', async () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new InProcessRateLimiter();
    const limit = { perSecond: 1, maxRequestMs: 3_000 };
    await limiter.acquire('a', limit);
    let second = false;
    const waiting = limiter.acquire('a', limit).then(() => (second = true));
    await jest.advanceTimersByTimeAsync(2_999);
    expect(second).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    expect(second).toBe(true);
    await waiting;
  });
});
