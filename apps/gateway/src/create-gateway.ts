import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { FleetgateConfig } from '@fleetgate/config';
import { recordHttpMetrics, MetricsRegistry } from '@fleetgate/observability';
import { migrateDatabase } from '@fleetgate/persistence';
import { configureHttpApp, requestIdFor } from '@fleetgate/platform';
import { GatewayModule } from './gateway.module';

/**
 * Builds the gateway exactly as it ships; main.ts listens on it, and the e2e tests boot it on a
 * free port. Migrates the database first when MIGRATE_ON_START is on.
 */
export async function createGateway(config: FleetgateConfig): Promise<NestFastifyApplication> {
  if (config.MIGRATE_ON_START) await migrateDatabase(config.DATABASE_URL);
  const adapter = new FastifyAdapter({ genReqId: requestIdFor, trustProxy: true, bodyLimit: 10 * 1024 * 1024 });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    bufferLogs: true,
  });
  recordHttpMetrics(app.getHttpAdapter().getInstance(), app.get(MetricsRegistry));
  await configureHttpApp(app);
  return app;
}
