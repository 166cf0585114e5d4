import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '@fleetgate/config';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { TEST_DATABASE_URL } from './gateway-harness';

/** Boots the real worker (the module main.ts runs) against the real PostgreSQL and Redis. */
export async function startWorker(env: Record<string, string> = {}): Promise<INestApplicationContext> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
  await app.init();
  return app;
}
