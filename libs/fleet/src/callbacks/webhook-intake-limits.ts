import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { FleetgateConfig } from '@fleetgate/config';
import { type RedisClient, RedisConnections } from '@fleetgate/redis';

/** Where vendors post callbacks (WebhooksController): open to anyone until the secret is checked. */
export const WEBHOOK_ROUTE_PREFIX = '/webhooks/';

/**
 * Requests a client address may send to the webhook route per minute, across every gateway
 * (counters in Redis, rate-limiter-flexible; in this process's memory while Redis is unreachable).
 * The route is open, so this bounds what one address can make Fleetgate parse and look up before
 * it has proven anything. An address over its limit is refused from memory until its minute ends,
 * without asking Redis again.
 */
@Injectable()
export class WebhookRateLimiter implements OnModuleDestroy {
  private readonly redis: RedisClient;
  private readonly perAddress: RateLimiterRedis;

  constructor(config: FleetgateConfig, redis: RedisConnections) {
    // Without an offline queue a command fails at once while Redis is away: the memory fallback takes
    // over, and /health/ready reports Redis.
    this.redis = redis.dedicated('webhook-limits', { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const limit = { points: config.WEBHOOK_REQUESTS_PER_IP_PER_MINUTE, duration: 60 };
    this.perAddress = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: redis.key('webhooks', 'ip'),
      ...limit,
      inMemoryBlockOnConsumed: limit.points + 1,
      inMemoryBlockDuration: limit.duration,
      insuranceLimiter: new RateLimiterMemory(limit),
    });
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  /** Counts a request; answers the seconds to wait when the address is over its limit. */
  async admit(address: string | undefined): Promise<{ retryAfterSeconds: number } | undefined> {
    try {
      await this.perAddress.consume(address ?? 'unknown');
      return undefined;
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) {
        return { retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
      }
      throw refusal;
    }
  }
}

/**
 * Gives the webhook route limits of its own, set on the Fastify route as Nest registers it (so call
 * this before the app is initialised): a body cap far below the API's general one (a vendor callback
 * is a few kilobytes; a larger body is refused with 413 before it is parsed), and the per-address
 * limit, checked when the request arrives, before its body is read.
 */
export function limitWebhookRoutes(
  fastify: FastifyInstance,
  options: { maxBodyBytes: number; limiter: () => WebhookRateLimiter },
): void {
  const admit: onRequestHookHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = await options.limiter().admit(request.ip);
    if (!refusal) return;
    await reply
      .code(429)
      .header('retry-after', String(refusal.retryAfterSeconds))
      .send({
        error: {
          code: 'rate_limited',
          message: `Too many webhook requests from this address; try again in ${refusal.retryAfterSeconds} s`,
          requestId: request.id,
        },
      });
    return reply;
  };
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(WEBHOOK_ROUTE_PREFIX)) return;
    route.bodyLimit = options.maxBodyBytes;
    const existing = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [admit, ...existing];
  });
}
