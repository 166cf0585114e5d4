import { OutboundHttp, OutboundUrlGuard } from '@fleetgate/platform';
import { Global, Module, type OnModuleDestroy } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { FleetgateConfig } from '@fleetgate/config';
import { MetricsRegistry, READINESS_CONTRIBUTORS } from '@fleetgate/observability';
import { RedisConnections } from '@fleetgate/redis';
import { VendorAccountRepository } from './accounts/vendor-account.repository';
import { VendorAccountService } from './accounts/vendor-account.service';
import { VendorAccountsController } from './accounts/vendor-accounts.controller';
import type { VendorCallObserver } from './core/vendor-transport';
import { VENDOR_DEFINITIONS } from './registry/vendor-definitions.token';
import { VENDOR_CALL_OBSERVER, VENDOR_REDIS, VendorRegistry } from './registry/vendor-registry';
import { VENDOR_CATALOG } from './vendor-catalog';

@Global()
@Module({
  controllers: [VendorAccountsController],
  providers: [
    { provide: VENDOR_DEFINITIONS, useFactory: () => VENDOR_CATALOG },
    {
      provide: OutboundUrlGuard,
      inject: [FleetgateConfig],
      useFactory: (config: FleetgateConfig) => new OutboundUrlGuard(config.ALLOW_INTERNAL_URLS),
    },
    {
      // The one HTTP client for URLs users give: vendor base URLs and event subscriptions.
      provide: OutboundHttp,
      inject: [FleetgateConfig],
      useFactory: (config: FleetgateConfig) =>
        new OutboundHttp({
          allowInternal: config.ALLOW_INTERNAL_URLS,
          maxResponseBytes: config.OUTBOUND_MAX_RESPONSE_BYTES,
        }),
    },
    {
      provide: VENDOR_REDIS,
      inject: [RedisConnections],
      // Failures surface in the calls that need it and in /health/ready.
      useFactory: (redis: RedisConnections) =>
        redis.dedicated('vendor-rate-limits', { lazyConnect: true, maxRetriesPerRequest: 2 }),
    },
    {
      provide: VENDOR_CALL_OBSERVER,
      inject: [MetricsRegistry],
      useFactory: (metrics: MetricsRegistry): VendorCallObserver => {
        const calls = new Histogram({
          name: 'fleetgate_vendor_call_duration_seconds',
          help: 'Vendor API calls by vendor and outcome (ok or a normalized error kind)',
          labelNames: ['vendor', 'outcome'] as const,
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [metrics.registry],
        });
        return ({ vendor, outcome, seconds }) => calls.observe({ vendor, outcome }, seconds);
      },
    },
    VendorRegistry,
    { provide: READINESS_CONTRIBUTORS, inject: [VendorRegistry], useFactory: (registry: VendorRegistry) => [registry] },
    VendorAccountRepository,
    VendorAccountService,
  ],
  exports: [VendorRegistry, VendorAccountService, OutboundUrlGuard, OutboundHttp, READINESS_CONTRIBUTORS],
})
export class VendorsModule implements OnModuleDestroy {
  constructor(private readonly outbound: OutboundHttp) {}

  async onModuleDestroy(): Promise<void> {
    await this.outbound.close();
  }
}
