import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { RedisConnections } from '@fleetgate/redis';
import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import { adminToken, type RunningGateway, startGateway } from './support/gateway-harness';
import { testConfig } from './support/test-env';
import { until } from './support/until';
import { startWorker } from './support/worker-harness';

const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];
const SERIALS = Array.from({ length: 30 }, (_, i) => `TMX${String(i + 1).padStart(6, '0')}`);

/**
 * Redis loses its data while tasks are accepted and waiting (a restart without persistence). The next
 * worker to start enqueues again, from PostgreSQL, what was owed: the task still ends, each device gets
 * its command once, and the callback waiting to be applied is applied.
 */
describe('Redis losing its queues (e2e)', () => {
  const prefix = `fg-loss-${process.pid}-${Date.now()}`;
  const env = { REDIS_PREFIX: prefix };
  let sim: SimulatorServer;
  let simUrl: string;
  let gateway: RunningGateway;
  const workers: INestApplicationContext[] = [];
  let token: string;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  beforeAll(async () => {
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: SERIALS.length, timeScale: 0 });
    simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    token = await adminToken(gateway);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await gateway?.close();
    await sim?.close();
  });

  it('enqueues again what PostgreSQL says is owed, and nothing is sent twice', async () => {
    // A first worker starts these queues (and records their epoch), then goes away.
    const first = await startWorker(env);
    await first.close();

    const account = await call('POST', '/vendor-accounts', {
      vendor: 'tikmatrix',
      name: `loss-${Date.now()}`,
      baseUrl: simUrl,
      credentials: {},
    });
    const prisma = gateway.app.get(PrismaService);
    await prisma.device.createMany({
      data: SERIALS.map((serial) => ({
        vendor: 'tikmatrix',
        accountId: account.id as string,
        vendorRef: serial,
        name: serial,
      })),
    });
    const task = await call('POST', '/tasks', {
      operation: { type: 'script.start', params: { script: 'login' } },
      targets: { accountId: account.id },
    });
    const callback = await fetch(`${gateway.baseUrl}${account.webhookPath as string}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fleetgate-webhook-secret': account.webhookSecret as string },
      body: JSON.stringify({ event: 'task_status', task_id: 999_999, serial: SERIALS[0], status: 2 }),
    });
    const stored = await prisma.callbackInbox.findFirst({ where: { accountId: account.id as string } });

    // The jobs are in Redis now; Redis loses everything of this install.
    const redis = new RedisConnections(testConfig(env));
    const keys = await redis.keysOfInstall();
    expect(keys.some((key) => key.includes(':tasks:'))).toBe(true);
    // One DEL a key: on a cluster the keys are in many slots.
    await Promise.all(keys.map((key) => redis.commands.del(key)));
    await redis.onModuleDestroy();

    workers.push(await startWorker(env));
    const ended = await until(
      async () =>
        (await call('GET', `/tasks/${task.id as string}`)) as {
          status: string;
          counts: { total: number; succeeded: number };
        },
      (value) => FINAL.includes(value.status),
      'the task ending after Redis lost its queues',
    );
    expect(ended.counts.total).toBe(SERIALS.length);
    const targets = await prisma.taskTarget.findMany({ where: { taskId: task.id as string } });
    // Every target reached the vendor (the simulated fleet has a few devices the vendor refuses).
    expect(targets.filter((target) => !target.vendorTaskId && !target.errorCode)).toEqual([]);

    // The vendor's own record: every device reached, and no account on it got a task twice (a create
    // makes one task per account signed in on the device).
    const serials = new Set<string>();
    const perAccount = new Map<string, number>();
    for (let page = 1; ; page++) {
      const answer = (await (await fetch(`${simUrl}/api/v1/task?page=${page}&page_size=100`)).json()) as {
        data: { tasks: Array<{ serial: string; username: string }>; total: number };
      };
      for (const vendorTask of answer.data.tasks) {
        serials.add(vendorTask.serial);
        const account = `${vendorTask.serial}/${vendorTask.username}`;
        perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
      }
      if (page * 100 >= answer.data.total) break;
    }
    expect(serials.size).toBe(SERIALS.length);
    expect(Math.max(...perAccount.values())).toBe(1);

    if (callback.status === 200 && stored) {
      await until(
        () => prisma.callbackInbox.findUnique({ where: { id: stored.id } }),
        (row) => row?.appliedAt != null,
        'the stored callback being applied',
      );
    }
  });
  it('enqueues again the writing of a task answered before its targets were written', async () => {
    // No worker runs while the task is accepted: its tasks.prepare job waits in Redis.
    for (const worker of workers.splice(0)) await worker.close();
    const deferring = await startGateway({ ...env, TASK_INLINE_TARGETS: '2' });
    try {
      const account = await call('POST', '/vendor-accounts', {
        vendor: 'tikmatrix',
        name: `loss-deferred-${Date.now()}`,
        baseUrl: simUrl,
        credentials: {},
      });
      const prisma = gateway.app.get(PrismaService);
      await prisma.device.createMany({
        data: SERIALS.slice(0, 5).map((serial) => ({
          vendor: 'tikmatrix',
          accountId: account.id as string,
          vendorRef: serial,
          name: serial,
        })),
      });
      const accepted = await fetch(`${deferring.baseUrl}/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          operation: { type: 'script.start', params: { script: 'login' } },
          targets: { accountId: account.id },
        }),
      });
      const task = (await accepted.json()) as { id: string; preparing: boolean };
      expect(task.preparing).toBe(true);
      await until(
        () =>
          prisma.outboxJob.count({
            where: { jobName: 'tasks.prepare', jobId: { contains: task.id }, publishedAt: null },
          }),
        (unrelayed) => unrelayed === 0,
        'the prepare job relayed',
      );

      const redis = new RedisConnections(testConfig(env));
      const keys = await redis.keysOfInstall();
      await Promise.all(keys.map((key) => redis.commands.del(key)));
      await redis.onModuleDestroy();

      // The sweeper's horizon is out of reach here: only the recovery can bring the write back.
      workers.push(await startWorker({ ...env, TASK_REDISPATCH_AFTER_SECONDS: '3600' }));
      const ended = await until(
        async () =>
          (await call('GET', `/tasks/${task.id}`)) as { status: string; preparing: boolean; counts: { total: number } },
        (value) => FINAL.includes(value.status),
        'the deferred task ending after Redis lost its queues',
      );
      expect(ended).toMatchObject({ preparing: false, counts: { total: 5 } });
    } finally {
      await deferring.close();
    }
  });
});
