import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { RedisConnections } from '@fleetgate/redis';
import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import { callApi } from './support/call-api';
import { adminToken, type RunningGateway, startGateway } from './support/gateway-harness';
import { testConfig } from './support/test-env';
import { until } from './support/until';
import { serialOf, tasksPerAccount } from './support/tikmatrix-received';
import { startWorker } from './support/worker-harness';

const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];
const SERIALS = Array.from({ length: 30 }, (_, i) => `TMX${String(i + 1).padStart(6, '0')}`);

/**
 * Redis loses its data while tasks are accepted and waiting (a restart without persistence). The next
 * worker to start enqueues again, from PostgreSQL, what was owed: the tasks still end (one written in
 * the request, one answered before its targets were written), each device gets its command once, and
 * the callback waiting to be applied is applied. The sweeper's horizon is an hour here, so only the
 * recovery can bring anything back within the test.
 */
describe('Redis losing its queues (e2e)', () => {
  const prefix = `fg-loss-${process.pid}-${Date.now()}`;
  const env = { REDIS_PREFIX: prefix, TASK_REDISPATCH_AFTER_SECONDS: '3600' };
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
    const devices = await prisma.device.findMany({
      where: { accountId: account.id as string },
      orderBy: { vendorRef: 'asc' },
    });
    const half = devices.length / 2;
    const task = await call('POST', '/tasks', {
      operation: { type: 'script.start', params: { script: 'login' } },
      targets: { deviceIds: devices.slice(0, half).map((device) => device.id) },
    });
    // A gateway that answers before writing the targets of any task of more than one device.
    const deferring = await startGateway({ ...env, TASK_INLINE_TARGETS: '1' });
    const deferredTask = (
      await callApi(deferring.baseUrl, 'POST', '/tasks', token, {
        operation: { type: 'script.start', params: { script: 'login' } },
        targets: { deviceIds: devices.slice(half).map((device) => device.id) },
      })
    ).json as { id: string; preparing: boolean };
    await deferring.close();
    expect(deferredTask.preparing).toBe(true);
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
    for (const taskId of [task.id as string, deferredTask.id]) {
      const ended = await until(
        async () =>
          (await call('GET', `/tasks/${taskId}`)) as {
            status: string;
            counts: { total: number; succeeded: number };
          },
        (value) => FINAL.includes(value.status),
        'the task ending after Redis lost its queues',
      );
      expect(ended.counts.total).toBe(SERIALS.length / 2);
    }
    const targets = await prisma.taskTarget.findMany({
      where: { taskId: { in: [task.id as string, deferredTask.id] } },
    });
    // Every target reached the vendor (the simulated fleet has a few devices the vendor refuses).
    expect(targets.filter((target) => !target.vendorTaskId && !target.errorCode)).toEqual([]);

    // The vendor's own record: every device reached, and no account on it got a task twice (a create
    // makes one task per account signed in on the device).
    const perAccount = await tasksPerAccount(simUrl);
    const serials = new Set([...perAccount.keys()].map(serialOf));
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
});
