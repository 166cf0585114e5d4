import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from '@fleetgate/admin';
import { AuthModule } from '@fleetgate/auth';
import { ConfigModule, FleetgateConfig } from '@fleetgate/config';
import { FleetModule, WebhookRateLimiter } from '@fleetgate/fleet';
import { ObservabilityModule } from '@fleetgate/observability';
import { PersistenceModule } from '@fleetgate/persistence';
import { loggerParams } from '@fleetgate/platform';
import { QueuesModule } from '@fleetgate/queues';
import { RedisModule } from '@fleetgate/redis';
import { SchedulingModule } from '@fleetgate/scheduling';
import { VendorsModule } from '@fleetgate/vendors';

@Module({})
export class GatewayModule {
  static forRoot(config?: FleetgateConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync({
          inject: [FleetgateConfig],
          useFactory: (config: FleetgateConfig) => loggerParams(config.LOG_LEVEL),
        }),
        PersistenceModule,
        ObservabilityModule,
        AuthModule,
        VendorsModule,
        RedisModule,
        QueuesModule,
        FleetModule,
        SchedulingModule,
        AdminModule,
      ],
      // Only the gateway serves the webhook route (its limits are set in createGateway).
      providers: [WebhookRateLimiter],
    };
  }
}
