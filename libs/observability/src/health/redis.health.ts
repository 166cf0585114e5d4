import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { type RedisClient, RedisConnections } from '@fleetgate/redis';

/** PING on a connection of its own that fails fast instead of queueing commands while Redis is away. */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly redis: RedisClient;

  constructor(
    redis: RedisConnections,
    private readonly indicators: HealthIndicatorService,
  ) {
    // Errors are reported through the check.
    this.redis = redis.dedicated('health', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
  }

  async check(key = 'redis') {
    const indicator = this.indicators.check(key);
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      const answer = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 1s')), 1000)),
      ]);
      return answer === 'PONG' ? indicator.up() : indicator.down({ message: `unexpected answer ${answer}` });
    } catch (error) {
      return indicator.down({ message: (error as Error).message || 'unreachable' });
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
