import type Redis from 'ioredis';
import type { RateLimiter } from '../core/rate-limiter';

// A token bucket kept in Redis, so one account's limit holds across every gateway and worker process
// (open-source BullMQ has no per-group limiter). Returns 0 when a token was taken, else the wait in ms.
// A vendor's Retry-After pauses the bucket for everyone: 'until' holds the end of the pause.
const TAKE_TOKEN = `
local rate = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local paused = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if paused > now then return paused - now end
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or rate
local at = tonumber(bucket[2]) or now
tokens = math.min(rate, tokens + (math.max(0, now - at) / 1000) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = Number(
        await this.redis.eval(TAKE_TOKEN, 1, `${this.prefix}:ratelimit:${key}`, perSecond, Date.now()),
      );
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async pause(key: string, ms: number): Promise<void> {
    const bucket = `${this.prefix}:ratelimit:${key}`;
    const until = Date.now() + ms;
    await this.redis.eval(
      `local current = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
       if tonumber(ARGV[1]) > current then redis.call('HSET', KEYS[1], 'until', ARGV[1]) end
       redis.call('PEXPIRE', KEYS[1], math.max(60000, tonumber(ARGV[2])))`,
      1,
      bucket,
      until,
      ms,
    );
  }
}
