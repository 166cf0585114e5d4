import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import { FleetgateConfig, loadConfig } from '@fleetgate/config';
import { MetricsRegistry } from '@fleetgate/observability';
import {
  executorQueueOf,
  HandlesJob,
  JOB_QUEUE,
  JobProducer,
  jobRepeatsOf,
  QueueMetrics,
  QueueName,
} from '@fleetgate/queues';
import { RedisConnections } from '@fleetgate/redis';
import { EXECUTOR_ID, ExecutorQueues, ExecutorRegistry } from '@fleetgate/scheduling';
import { ExecutorQueueProcessor } from './fleet/executor-queue.processor';
import { JobRouter } from './job-router';

@Injectable()
class PurgeHandler {
  calls: unknown[] = [];

  @HandlesJob('sessions.purge-expired')
  async purge(payload: unknown) {
    this.calls.push(payload);
    return { deleted: 0 };
  }
}

/** The maintenance queue's other jobs, so that only the purge is under test. */
@Injectable()
class OtherMaintenanceHandlers {
  @HandlesJob('outbox.relay')
  async relay() {}

  @HandlesJob('tasks.sweep')
  async sweep() {}

  @HandlesJob('devices.sync-all')
  async syncAll() {}

  @HandlesJob('schedules.settle')
  async settle() {}

  @HandlesJob('schedules.vendor-sync')
  async pullVendorSchedules() {}

  @HandlesJob('audit.purge')
  async purgeAudit() {}

  @HandlesJob('callbacks.sweep')
  async sweepCallbacks() {}

  @HandlesJob('callbacks.purge')
  async purgeCallbacks() {}
}

@Injectable()
class SecondPurgeHandler {
  @HandlesJob('sessions.purge-expired')
  async purge() {
    return undefined;
  }
}

@Injectable()
class RunHandler {
  runs: unknown[] = [];

  @HandlesJob('schedules.run')
  async run(payload: unknown) {
    this.runs.push(payload);
    return { outcome: 'started' };
  }
}

/** Queues that take every job and keep none: for the tests that are not about Redis. */
const NO_QUEUES = { queue: () => ({ upsertJobScheduler: async () => undefined }), allQueues: () => [] };

async function routerWith(
  providers: Array<new (...args: never[]) => unknown>,
  services: {
    producer?: unknown;
    config?: FleetgateConfig;
    extra?: Array<{ provide: unknown; useValue: unknown }>;
  } = {},
) {
  const metrics = new MetricsRegistry();
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      JobRouter,
      ...providers,
      { provide: MetricsRegistry, useValue: metrics },
      { provide: QueueMetrics, useFactory: () => new QueueMetrics(metrics, { allQueues: () => [] } as never) },
      { provide: JobProducer, useValue: services.producer ?? NO_QUEUES },
      { provide: FleetgateConfig, useValue: services.config ?? loadConfig({}) },
      ...(services.extra ?? []).map((provider) => provider as never),
    ],
  }).compile();
  const router = moduleRef.get(JobRouter);
  return { moduleRef, router };
}

/** An install of its own on the real Redis, so that what the test finds there is its own. */
function redisOfTest(name: string) {
  const config = loadConfig({
    REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'fg'}-${name}-${process.pid}-${Date.now()}`,
  });
  const redis = new RedisConnections(config);
  return {
    config,
    redis,
    async close() {
      const keys = await redis.keysOfInstall();
      await Promise.all(keys.map((key) => redis.commands.del(key)));
      await redis.onModuleDestroy();
      await redis.onApplicationShutdown();
    },
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let tries = 0; tries < 300; tries++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen`);
}

describe('JobRouter', () => {
  it('routes a job to the handler of its name', async () => {
    const { moduleRef, router } = await routerWith([PurgeHandler, OtherMaintenanceHandlers]);
    router.consume(QueueName.Maintenance);
    await moduleRef.init();
    await expect(router.route({ name: 'sessions.purge-expired', data: { x: 1 } } as unknown as Job)).resolves.toEqual({
      deleted: 0,
    });
    expect(moduleRef.get(PurgeHandler).calls).toEqual([{ x: 1 }]);
  });

  it('refuses to start when a consumed job name has no handler', async () => {
    const { moduleRef, router } = await routerWith([]);
    router.consume(QueueName.Maintenance);
    await expect(moduleRef.init()).rejects.toThrow('refusing to start: no handler for job(s) sessions.purge-expired');
  });

  it('refuses two handlers for one job name', async () => {
    const { moduleRef, router } = await routerWith([PurgeHandler, SecondPurgeHandler, OtherMaintenanceHandlers]);
    router.consume(QueueName.Maintenance);
    await expect(moduleRef.init()).rejects.toThrow('job "sessions.purge-expired" has two handlers');
  });

  it('ends a job with an unknown name at once instead of retrying it', async () => {
    const { moduleRef, router } = await routerWith([PurgeHandler, OtherMaintenanceHandlers]);
    router.consume(QueueName.Maintenance);
    await moduleRef.init();
    await expect(router.route({ name: 'nobody.handles-this', data: {} } as unknown as Job)).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
  });

  it("registers at start, on the real Redis, exactly the catalogue's repeats: one scheduler per job, named for it, at the configured interval", async () => {
    const { config, redis, close } = redisOfTest('repeats');
    const configured = loadConfig({ REDIS_PREFIX: config.REDIS_PREFIX, VENDOR_SCHEDULE_SYNC_MS: '90000' });
    const queues = Object.values(QueueName).map(
      (name) => new Queue(name, { connection: redis.queueConnection(), prefix: redis.queuePrefix(name) }),
    );
    const producer = new JobProducer(queues[0], queues[1], queues[2], queues[3]);
    try {
      const { moduleRef, router } = await routerWith([PurgeHandler, OtherMaintenanceHandlers], {
        producer,
        config: configured,
      });
      router.consume(QueueName.Maintenance);
      await moduleRef.init();
      // Starting again (a second worker, a restart) leaves one scheduler per job.
      await moduleRef.get(JobRouter).onApplicationBootstrap();

      const registered = [];
      for (const queue of queues) {
        for (const scheduler of await queue.getJobSchedulers()) {
          registered.push({
            queue: queue.name,
            id: scheduler.key,
            name: scheduler.name,
            every: Number(scheduler.every),
          });
        }
      }
      const expected = jobRepeatsOf(configured).map(({ name, every }) => ({
        queue: JOB_QUEUE[name],
        id: name,
        name,
        every,
      }));
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect(registered.sort(byId)).toEqual(expected.sort(byId));
      expect(registered).toContainEqual(expect.objectContaining({ name: 'schedules.vendor-sync', every: 90_000 }));
      await moduleRef.close();
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
      await close();
    }
  });

  it("takes the jobs of this executor's own queue through the router, timed in the job metrics like any job", async () => {
    const { config, redis, close } = redisOfTest('executor');
    const executorQueues = new ExecutorQueues(redis);
    try {
      const { moduleRef } = await routerWith([RunHandler, ExecutorQueueProcessor], {
        config,
        extra: [
          { provide: ExecutorQueues, useValue: executorQueues },
          { provide: ExecutorRegistry, useValue: { start: async () => undefined } },
        ],
      });
      await moduleRef.init();
      await executorQueues.enqueue(EXECUTOR_ID, 'schedules.run', { runId: 'run-1' }, ['run-1']);

      const completed = () =>
        moduleRef
          .get(QueueMetrics)
          .jobDuration.get()
          .then((metric) =>
            metric.values.filter(
              (value) =>
                value.metricName === 'fleetgate_job_duration_seconds_count' &&
                value.labels.name === 'schedules.run' &&
                value.labels.outcome === 'completed',
            ),
          );
      const [count] = await until(completed, (values) => values.length > 0, 'the run being timed');
      expect(count).toMatchObject({ value: 1, labels: { queue: executorQueueOf(EXECUTOR_ID) } });
      expect(moduleRef.get(RunHandler).runs).toEqual([{ runId: 'run-1' }]);
      await moduleRef.close();
    } finally {
      await executorQueues.onModuleDestroy();
      await close();
    }
  });

  it('refuses to consume an executor queue while an executor job has no handler', async () => {
    const { moduleRef } = await routerWith([ExecutorQueueProcessor], {
      extra: [
        { provide: ExecutorQueues, useValue: { consume: () => undefined } },
        { provide: ExecutorRegistry, useValue: { start: async () => undefined } },
      ],
    });
    await expect(moduleRef.init()).rejects.toThrow('refusing to start: no handler for job(s) schedules.run');
  });
});
