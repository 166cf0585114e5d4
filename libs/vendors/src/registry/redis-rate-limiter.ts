import type Redis from 'ioredis';
import type { RateLimiter } from '../core/rate-limiter';

// A token bucket kept in Redis, so one account's limit holds across every gateway and worker process
// (open-source BullMQ has no per-group limiter). Returns 0 when a token was taken, else the wait in ms.
const TAKE_TOKEN = `
local rate = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
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

  async acquire(key: string, perSecond: number): Promise<void> {
    for (;;) {
      const wait = Number(
        await this.redis.eval(TAKE_TOKEN, 1, `${this.prefix}:ratelimit:${key}`, perSecond, Date.now()),
      );
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
