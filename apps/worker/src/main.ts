import 'reflect-metadata';
import { createServer } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigurationError, loadConfig } from '@fleetgate/config';
import { MetricsRegistry } from '@fleetgate/observability';
import { migrateDatabase } from '@fleetgate/persistence';
import { WorkerModule } from './worker.module';

/** The queue worker: BullMQ consumers and their schedules, and a Prometheus endpoint. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.MIGRATE_ON_START) await migrateDatabase(config.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  if (config.WORKER_METRICS_PORT) {
    // Only /metrics: the worker serves nothing else over HTTP.
    const metrics = app.get(MetricsRegistry);
    const server = createServer((request, response) => {
      if (request.url !== '/metrics') return void response.writeHead(404).end();
      metrics
        .render()
        .then((body) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body))
        .catch(() => response.writeHead(500).end());
    });
    server.listen(config.WORKER_METRICS_PORT);
    app.get(Logger).log({ port: config.WORKER_METRICS_PORT }, 'worker metrics at /metrics');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? `worker: ${error.message}` : error);
  process.exit(1);
});
