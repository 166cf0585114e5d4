import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@fleetgate/redis';
import { RATE_WINDOW_MS, recheckMs, type RateLimit, type RateLimiter, type RateSlot } from '../core/rate-limiter';

// The rule of RateLimiter, kept in Redis so that one account's limit holds across every gateway and
// worker process (open-source BullMQ has no per-group limiter). KEYS[1] is a sorted set of held slots
// scored by the instant each stops counting; KEYS[2] the end of a vendor's Retry-After pause. Every
// instant is Redis's own clock (TIME), so processes on hosts with skewed clocks agree. Both keys of a
// limit carry the limit's name as a hash tag, so that on a Redis Cluster they share the slot a script needs.
// Answers 0 when the slot ARGV[3] was taken, else the milliseconds to wait before asking again.
const TAKE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
local limit = tonumber(ARGV[1])
local hold = tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + hold, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], hold + 1000)
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.min(tonumber(first[2]) - now + 1, tonumber(ARGV[4])))
`;

// The request has its answer: its slot now ends one window from now (never later than it would have).
// One millisecond more covers Redis TIME's rounding down to whole milliseconds.
const RELEASE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', 'LT', now + tonumber(ARGV[1]) + 1, ARGV[2])
`;

const PAUSE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', math.max(1, tonumber(ARGV[1]))) end
`;

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async acquire(key: string, limit: RateLimit, signal?: AbortSignal): Promise<RateSlot> {
    const held = this.keyOf(key, 'held');
    const paused = this.keyOf(key, 'paused');
    const slot = randomUUID();
    for (;;) {
      signal?.throwIfAborted();
      const wait = Number(
        await this.redis.eval(
          TAKE_SLOT,
          2,
          held,
          paused,
          limit.perSecond,
          limit.maxRequestMs,
          slot,
          recheckMs(limit.perSecond),
        ),
      );
      if (wait <= 0) {
        return {
          release: () =>
            this.redis.eval(RELEASE_SLOT, 1, held, RATE_WINDOW_MS, slot).then(
              () => undefined,
              // Unreleased, the slot ends at its request's longest run: later, never sooner.
              () => undefined,
            ),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async pause(key: string, ms: number): Promise<void> {
    await this.redis.eval(PAUSE, 1, this.keyOf(key, 'paused'), Math.ceil(ms));
  }

  private keyOf(key: string, part: 'held' | 'paused'): string {
    return `${this.prefix}:ratelimit:{${key}}:${part}`;
  }
}
