import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { testConfig } from './gateway-harness';

/** Boots the real worker (the module main.ts runs) against the real PostgreSQL and Redis. */
export async function startWorker(env: Record<string, string> = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(env)), { logger: false });
  await app.init();
  return app;
}
