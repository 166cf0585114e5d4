import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { FleetgateConfig } from '@fleetgate/config';
import { ErrorEnvelopeFilter } from '@fleetgate/platform';
import { type RedisClient, RedisConnections } from '@fleetgate/redis';
import { WebhooksController } from './webhooks.controller';

/** Why a request was refused: the seconds until its address may send again. */
interface Refusal {
  retryAfterSeconds: number;
}

/** A request waiting for the count of its turn. */
interface Admission {
  resolve: (refusal: Refusal | undefined) => void;
  reject: (error: unknown) => void;
}

/** Where vendors post callbacks (WebhooksController): open to anyone until the secret is checked. */
export const WEBHOOK_ROUTE_PREFIX = '/webhooks/';

/**
 * Requests a client address may send to the webhook route per minute, across every gateway
 * (counters in Redis, rate-limiter-flexible; in this process's memory while Redis is unreachable).
 * The route is open, so this bounds what one address can make Fleetgate parse and look up before
 * it has proven anything. An address over its limit is refused from memory until its minute ends,
 * without asking Redis again. Requests from one address arriving in the same turn of the event loop
 * are counted by one Redis command (a vendor pushing a burst sends them together): admitted in arrival
 * order while within the limit, the rest refused, as if each had been counted alone.
 */
@Injectable()
export class WebhookRateLimiter implements OnModuleDestroy {
  private readonly redis: RedisClient;
  private readonly perAddress: RateLimiterRedis;
  private readonly points: number;
  /** Requests of this turn not counted yet, by address. */
  private readonly gathering = new Map<string, Admission[]>();

  constructor(config: FleetgateConfig, redis: RedisConnections) {
    // Without an offline queue a command fails at once while Redis is away: the memory fallback takes
    // over, and /health/ready reports Redis.
    this.redis = redis.dedicated('webhook-limits', { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const limit = { points: config.WEBHOOK_REQUESTS_PER_IP_PER_MINUTE, duration: 60 };
    this.points = limit.points;
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
  admit(address: string | undefined): Promise<Refusal | undefined> {
    const key = address ?? 'unknown';
    return new Promise<Refusal | undefined>((resolve, reject) => {
      let waiting = this.gathering.get(key);
      if (!waiting) {
        const gathered: Admission[] = [];
        waiting = gathered;
        this.gathering.set(key, gathered);
        // Once the requests of this turn have arrived, one command counts them all.
        setImmediate(() => {
          this.gathering.delete(key);
          void this.count(key, gathered);
        });
      }
      waiting.push({ resolve, reject });
    });
  }

  private async count(key: string, waiting: Admission[]): Promise<void> {
    try {
      await this.perAddress.consume(key, waiting.length);
      for (const request of waiting) request.resolve(undefined);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) {
        for (const request of waiting) request.reject(refusal);
        return;
      }
      // The count now includes this turn's requests: those that came while it was within the limit
      // are admitted. A refusal from memory (the address blocked for its minute) counted none of them.
      const countedBefore = refusal.consumedPoints - waiting.length;
      const admitted = countedBefore >= 0 ? Math.min(waiting.length, Math.max(0, this.points - countedBefore)) : 0;
      const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      waiting.forEach((request, index) => request.resolve(index < admitted ? undefined : { retryAfterSeconds }));
    }
  }
}

/** The route vendors post callbacks to, as Nest registers WebhooksController.receive on Fastify. */
const WEBHOOK_RECEIVE_URL = `${WEBHOOK_ROUTE_PREFIX}:vendor/:accountId`;

/**
 * Sets the webhook route up on Fastify as Nest registers it (so call this before the app is
 * initialised):
 * - limits of its own: a body cap far below the API's general one (a vendor callback is a few
 *   kilobytes; a larger body is refused with 413 before it is parsed), and the per-address limit,
 *   checked when the request arrives, before its body is read;
 * - its handler: Fastify calls WebhooksController.receive itself, without Nest's pipeline. The route
 *   is public and checks its own input, and its errors reach the same ErrorEnvelopeFilter, so it
 *   answers as it would through Nest; what it skips (the guard's lookup, a pipe per argument, their
 *   promises) was a sixth of the gateway's CPU per callback (`npm run bench:callbacks`: 0.135 to
 *   0.144 ms a callback against 0.166 to 0.238, side by side).
 */
export function configureWebhookRoutes(
  fastify: FastifyInstance,
  options: { maxBodyBytes: number; limiter: () => WebhookRateLimiter; controller: () => WebhooksController },
): void {
  // Looked up once, at the first request: the app does not exist yet when the routes are registered.
  let limiter: WebhookRateLimiter | undefined;
  let controller: WebhooksController | undefined;
  const admit: onRequestHookHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = await (limiter ??= options.limiter()).admit(request.ip);
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
  const errors = new ErrorEnvelopeFilter();
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(WEBHOOK_ROUTE_PREFIX)) return;
    route.bodyLimit = options.maxBodyBytes;
    const existing = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [admit, ...existing];
    if (route.method !== 'POST' || route.url !== WEBHOOK_RECEIVE_URL) {
      throw new Error(`${route.method} ${route.url}: only ${WEBHOOK_RECEIVE_URL} is answered under ${WEBHOOK_ROUTE_PREFIX}`);
    }
    route.handler = (request) => (controller ??= options.controller()).receive(request);
    route.errorHandler = (error, request, reply) => errors.answer(error, request, reply);
  });
}
