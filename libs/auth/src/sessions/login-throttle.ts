import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import { type RedisClient, RedisConnections } from '@fleetgate/redis';

/** Failures for one e-mail from one address are forgotten this long after the last one. */
const FAILURE_WINDOW_SECONDS = 15 * 60;

/**
 * Slows password guessing, across every gateway (counters in Redis, rate-limiter-flexible): each
 * client address gets LOGIN_ATTEMPTS_PER_IP_PER_MINUTE sign-ins a minute, and after
 * LOGIN_FAILURES_PER_ACCOUNT failures for one e-mail from one address that pair waits 15 minutes. A
 * success clears the pair's failures. Locks are per address, so nobody can lock a user out from afar.
 * While Redis is unreachable the counters live in this process's memory.
 */
@Injectable()
export class LoginThrottle implements OnModuleDestroy {
  private readonly redis: RedisClient;
  private readonly perAddress: RateLimiterRedis;
  private readonly failures: RateLimiterRedis;

  constructor(config: FleetgateConfig, redis: RedisConnections) {
    // Without an offline queue a command fails at once while Redis is away: the memory fallback takes
    // over, and /health/ready reports Redis.
    this.redis = redis.dedicated('login-throttle', { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const perAddress = { points: config.LOGIN_ATTEMPTS_PER_IP_PER_MINUTE, duration: 60 };
    const failures = { points: config.LOGIN_FAILURES_PER_ACCOUNT, duration: FAILURE_WINDOW_SECONDS };
    this.perAddress = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: redis.key('login', 'ip'),
      ...perAddress,
      insuranceLimiter: new RateLimiterMemory(perAddress),
    });
    this.failures = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: redis.key('login', 'failures'),
      ...failures,
      insuranceLimiter: new RateLimiterMemory(failures),
    });
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  /** Counts an attempt; refuses with 429 and Retry-After when the address or the pair is over its limit. */
  async admit(email: string, ip: string | undefined): Promise<void> {
    const address = ip ?? 'unknown';
    const held = await this.failures.get(this.pairKey(email, address));
    if (held && held.consumedPoints >= this.failures.points) throw this.tooMany(held.msBeforeNext);
    try {
      await this.perAddress.consume(address);
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) throw this.tooMany(refusal.msBeforeNext);
      throw refusal;
    }
  }

  async failed(email: string, ip: string | undefined): Promise<void> {
    await this.failures.penalty(this.pairKey(email, ip ?? 'unknown'), 1).catch(() => undefined);
  }

  async succeeded(email: string, ip: string | undefined): Promise<void> {
    await this.failures.delete(this.pairKey(email, ip ?? 'unknown')).catch(() => undefined);
  }

  private pairKey(email: string, address: string): string {
    return `${email.toLowerCase()}|${address}`;
  }

  private tooMany(msBeforeNext: number): RateLimitedError {
    const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    return new RateLimitedError(`Too many sign-in attempts; try again in ${seconds} s`, seconds);
  }
}
