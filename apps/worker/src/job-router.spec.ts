import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { UnrecoverableError, type Job } from 'bullmq';
import { HandlesJob, QueueName } from '@fleetgate/queues';
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
    providers: [JobRouter, ...providers],
  }).compile();
  const router = moduleRef.get(JobRouter);
  router.consume(QueueName.Maintenance);
  return { moduleRef, router };
}

describe('JobRouter', () => {
  it('routes a job to the handler of its name', async () => {
    const { moduleRef, router } = await routerWith([PurgeHandler]);
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
    const { moduleRef } = await routerWith([PurgeHandler, SecondPurgeHandler]);
    await expect(moduleRef.init()).rejects.toThrow('job "sessions.purge-expired" has two handlers');
  });

  it('ends a job with an unknown name at once instead of retrying it', async () => {
    const { moduleRef, router } = await routerWith([PurgeHandler]);
    await moduleRef.init();
    await expect(router.route({ name: 'nobody.handles-this', data: {} } as unknown as Job)).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
  });
});
