import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { spawnApp, stopApp, WORKER_MAIN } from './app-process';
import { E2E_INSTANCES, testConfig } from './test-env';

/**
 * Boots the real worker (the module main.ts runs) in this process against the real PostgreSQL and
 * Redis, so that tests can reach its services. In the scale-out run (E2E_INSTANCES=2) its twin is the
 * built worker in an OS process of its own, and it stops when this one closes.
 */
export async function startWorker(env: Record<string, string> = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(env)), { logger: false });
  await app.init();
  const twins = Array.from({ length: E2E_INSTANCES - 1 }, () => spawnApp(WORKER_MAIN, env));
  if (twins.length) {
    const closeOwn = app.close.bind(app);
    app.close = async () => {
      await Promise.all(twins.map(stopApp));
      await closeOwn();
    };
  }
  return app;
}
