import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { UnrecoverableError, type Job } from 'bullmq';
import { MetricsRegistry } from '@fleetgate/observability';
import { HandlesJob, QueueMetrics, QueueName } from '@fleetgate/queues';
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

async function routerWith(providers: Array<new (...args: never[]) => unknown>) {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      JobRouter,
      ...providers,
      {
        provide: QueueMetrics,
        useFactory: () => new QueueMetrics(new MetricsRegistry(), { allQueues: () => [] } as never),
      },
    ],
  }).compile();
  const router = moduleRef.get(JobRouter);
  router.consume(QueueName.Maintenance);
  return { moduleRef, router };
}

describe('JobRouter', () => {
  it('routes a job to the handler of its name', async () => {
    const { moduleRef, router } = await routerWith([PurgeHandler, OtherMaintenanceHandlers]);
    await moduleRef.init();
    await expect(router.route({ name: 'sessions.purge-expired', data: { x: 1 } } as unknown as Job)).resolves.toEqual({
      deleted: 0,
    });
    expect(moduleRef.get(PurgeHandler).calls).toEqual([{ x: 1 }]);
  });

  it('refuses to start when a consumed job name has no handler', async () => {
    const { moduleRef } = await routerWith([]);
    await expect(moduleRef.init()).rejects.toThrow('refusing to start: no handler for job(s) sessions.purge-expired');
  });

  it('refuses two handlers for one job name', async () => {
    const { moduleRef } = await routerWith([PurgeHandler, SecondPurgeHandler, OtherMaintenanceHandlers]);
    await expect(moduleRef.init()).rejects.toThrow('job "sessions.purge-expired" has two handlers');
  });

  it('ends a job with an unknown name at once instead of retrying it', async () => {
    const { moduleRef, router } = await routerWith([PurgeHandler, OtherMaintenanceHandlers]);
    await moduleRef.init();
    await expect(router.route({ name: 'nobody.handles-this', data: {} } as unknown as Job)).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
  });
});
