import { Inject, Injectable, type InjectionToken, type OnModuleDestroy } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { OutboundHttp } from '@fleetgate/platform';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { RedisClient } from '@fleetgate/redis';
import type { VendorName } from '@fleetgate/domain';
import type { ReadinessContributor } from '@fleetgate/observability';
import type { VendorAccountConfig } from '../core/vendor-account';
import type { VendorAdapter } from '../core/vendor-adapter';
import type { VendorDefinition } from '../core/vendor-definition';
import { VendorTransport, type VendorCallObserver } from '../core/vendor-transport';
import { RedisRateLimiter } from './redis-rate-limiter';
import { VENDOR_DEFINITIONS } from './vendor-definitions.token';

export const VENDOR_REDIS: InjectionToken<RedisClient> = Symbol('VENDOR_REDIS');
export const VENDOR_CALL_OBSERVER: InjectionToken<VendorCallObserver> = Symbol('VENDOR_CALL_OBSERVER');

interface CachedAdapter {
  version: string;
  adapter: VendorAdapter;
  transport: VendorTransport;
  account: VendorAccountConfig;
}

/**
 * Finds a vendor's definition by name and keeps one adapter (with its transport, circuit breaker
 * and rate limit) per account, rebuilt when the account changes.
 */
@Injectable()
export class VendorRegistry implements ReadinessContributor, OnModuleDestroy {
  private readonly definitions: ReadonlyMap<VendorName, VendorDefinition>;
  private readonly adapters = new Map<string, CachedAdapter>();
  private readonly rateLimiter: RedisRateLimiter;

  constructor(
    @Inject(VENDOR_DEFINITIONS) definitions: readonly VendorDefinition[],
    @Inject(VENDOR_REDIS) private readonly redis: RedisClient,
    @Inject(VENDOR_CALL_OBSERVER) private readonly observer: VendorCallObserver,
    private readonly outbound: OutboundHttp,
    private readonly config: FleetgateConfig,
  ) {
    this.definitions = new Map(definitions.map((definition) => [definition.vendor, definition]));
    this.rateLimiter = new RedisRateLimiter(redis, config.REDIS_PREFIX);
  }

  vendors(): VendorName[] {
    return [...this.definitions.keys()];
  }

  definition(vendor: string): VendorDefinition | undefined {
    return this.definitions.get(vendor as VendorName);
  }

  /** The adapter of an account; `version` (its updatedAt) invalidates the cached one. */
  adapterFor(account: VendorAccountConfig, version: string): VendorAdapter {
    const cached = this.adapters.get(account.id);
    if (cached && cached.version === version) return cached.adapter;
    const definition = this.definitions.get(account.vendor);
    if (!definition) throw new Error(`no vendor definition for "${account.vendor}"`);
    const transport = new VendorTransport({
      account,
      rateLimiter: this.rateLimiter,
      observer: this.observer,
      fetchImpl: this.outbound.fetch,
      maxResponseBytes: this.config.OUTBOUND_MAX_RESPONSE_BYTES,
    });
    const adapter = definition.createAdapter(account, transport);
    this.adapters.set(account.id, { version, adapter, transport, account });
    return adapter;
  }

  forget(accountId: string): void {
    this.adapters.delete(accountId);
  }

  /** Open circuits show in /health/ready's details, without failing readiness (other vendors still work). */
  async checkReadiness(): Promise<HealthIndicatorResult> {
    const circuits = Object.fromEntries(
      [...this.adapters.values()].map(({ account, transport }) => [
        `${account.vendor}:${account.id}`,
        transport.circuitState,
      ]),
    );
    return { vendors: { status: 'up', circuits } };
  }

  onModuleDestroy(): void {
    this.adapters.clear();
  }
}
