import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { E2E_INSTANCES, TEST_DATABASE_URL, testConfig } from './gateway-harness';

/**
 * Boots the real worker (the module main.ts runs) against the real PostgreSQL and Redis; in the
 * scale-out run (E2E_INSTANCES=2) a twin runs beside it and closes with it.
 */
export async function startWorker(env: Record<string, string> = {}): Promise<INestApplicationContext> {
  const boot = async () => {
    const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(env)), { logger: false });
    await app.init();
    return app;
  };
  const app = await boot();
  const twins = await Promise.all(Array.from({ length: E2E_INSTANCES - 1 }, boot));
  if (twins.length) {
    const closeFirst = app.close.bind(app);
    app.close = async () => {
      for (const twin of twins) await twin.close();
      await closeFirst();
    };
  }
  return app;
}

/** The built worker (`npx nest build worker`), run as a process of its own. */
export const WORKER_MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'src', 'main.js');

/**
 * The built worker as its own process, so that it can be killed with SIGKILL as a crash would; an
 * executor of its own (its pid makes its id). TEST_LOG_LEVEL shows its logs.
 */
export function spawnWorker(env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [WORKER_MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: TEST_DATABASE_URL,
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ALLOW_INTERNAL_URLS: 'true',
      WORKER_METRICS_PORT: '0',
      ...env,
    },
    stdio: process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore',
  });
}

/** Ends a spawned worker: SIGTERM (it leaves the executors table), SIGKILL when it hangs. */
export async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGTERM');
  const timer = setTimeout(() => worker.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
