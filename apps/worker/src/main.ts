import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigurationError, loadConfig } from '@fleetgate/config';
import { migrateDatabase } from '@fleetgate/persistence';
import { WorkerModule } from './worker.module';

/** The queue worker: no HTTP, only BullMQ consumers and their schedules. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.MIGRATE_ON_START) await migrateDatabase(config.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? `worker: ${error.message}` : error);
  process.exit(1);
});
