import type { INestApplicationContext } from '@nestjs/common';
import Redis from 'ioredis';
import { CallbackApplier } from '@fleetgate/fleet';
import { PrismaService } from '@fleetgate/persistence';
import { createArmcloudSimulator } from '../apps/simulator/src/armcloud/armcloud-simulator';
import { DEMO_CREDENTIALS } from '../apps/simulator/src/demo-accounts';
import { SimulatorServer } from '../apps/simulator/src/kit';
import { adminToken, type RunningGateway, startGateway } from './support/gateway-harness';
import { until } from './support/until';
import { startWorker } from './support/worker-harness';

/**
 * The callback inbox: a burst is stored by group commit, each callback applied once however many
 * apply jobs cover it, and callbacks whose apply job never ran (lost with Redis, or never enqueued)
 * are found by the sweep and applied.
 */
describe('callback inbox (e2e: gateway, worker, PostgreSQL and Redis)', () => {
  const prefix = `fg-inbox-${process.pid}-${Date.now()}`;
  const env = { REDIS_PREFIX: prefix };
  let sim: SimulatorServer;
  let gateway: RunningGateway;
  let worker: INestApplicationContext | undefined;
  let prisma: PrismaService;
  let applier: CallbackApplier;
  let account: { id: string; webhookPath: string; webhookSecret: string };
  let nextTaskId = 1_000;

  const post = async (body: unknown) => {
    const response = await fetch(`${gateway.baseUrl}${account.webhookPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fleetgate-webhook-secret': account.webhookSecret },
      body: JSON.stringify(body),
    });
    return { status: response.status, receipt: (await response.json()) as { duplicate: boolean } };
  };
  /** An ArmCloud task callback (taskStatus 3: done) for a task no target has: applied as one event. */
  const callback = () => ({ taskBusinessType: 1000, padCode: 'AC0001', taskId: nextTaskId++, taskStatus: 3 });
  /** Posts callbacks (none applied yet: no worker runs) and answers their inbox ids. */
  const stored = async (count: number) => {
    const bodies = Array.from({ length: count }, callback);
    await Promise.all(bodies.map(post));
    const rows = await prisma.callbackInbox.findMany({
      where: { accountId: account.id, OR: bodies.map((body) => ({ payload: { equals: body } })) },
      select: { id: true },
    });
    return rows.map((row) => row.id);
  };

  beforeAll(async () => {
    sim = new SimulatorServer(createArmcloudSimulator, { fleetSize: 3, timeScale: 0 });
    const simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    prisma = gateway.app.get(PrismaService);
    applier = gateway.app.get(CallbackApplier);
    const token = await adminToken(gateway);
    const response = await fetch(`${gateway.baseUrl}/vendor-accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        vendor: 'armcloud',
        name: `inbox-${Date.now()}`,
        baseUrl: simUrl,
        credentials: DEMO_CREDENTIALS.armcloud,
      }),
    });
    account = (await response.json()) as typeof account;
  });

  afterAll(async () => {
    await worker?.close();
    await gateway?.close();
    await sim?.close();
  });

  it('stores a concurrent burst once each, and acknowledges the repeats in it as duplicates', async () => {
    const bodies = Array.from({ length: 40 }, callback);
    const answers = await Promise.all([...bodies, ...bodies.slice(0, 10)].map(post));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((answer) => answer.receipt.duplicate)).toHaveLength(10);
    const rows = await prisma.callbackInbox.count({
      where: { accountId: account.id, OR: bodies.map((body) => ({ payload: { equals: body } })) },
    });
    expect(rows).toBe(40);
  });

  it('applies each callback once when two apply jobs cover the same callbacks at once', async () => {
    const ids = await stored(30);
    expect(ids).toHaveLength(30);
    const [first, second] = await Promise.all([applier.applyAll(ids), applier.applyAll(ids)]);
    expect(first.applied + second.applied).toBe(30);
    expect((await applier.applyAll(ids)).applied).toBe(0);
    const applied = await prisma.callbackInbox.findMany({ where: { id: { in: ids } } });
    expect(applied.every((row) => row.appliedAt !== null && row.claimedUntil === null && row.events === 1)).toBe(true);
  });

  it('skips a callback another job holds until that claim runs out', async () => {
    const [id] = await stored(1);
    await prisma.callbackInbox.update({ where: { id }, data: { claimedUntil: new Date(Date.now() + 60_000) } });
    expect((await applier.applyAll([id])).applied).toBe(0);
    // The holder died: its claim ran out.
    await prisma.callbackInbox.update({ where: { id }, data: { claimedUntil: new Date(Date.now() - 1_000) } });
    expect((await applier.applyAll([id])).applied).toBe(1);
  });

  it('enqueues callbacks whose apply job was lost, and a worker applies them', async () => {
    const ids = await stored(12);
    // The apply jobs the gateway enqueued are lost (Redis lost its data, or the gateway died first).
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:inbound:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    expect(await prisma.callbackInbox.count({ where: { id: { in: ids }, appliedAt: null } })).toBe(12);

    expect(await applier.enqueueUnapplied(0, 'e2e')).toBeGreaterThanOrEqual(1);
    worker = await startWorker(env);
    await until(
      () => prisma.callbackInbox.count({ where: { id: { in: ids }, appliedAt: null } }),
      (unapplied) => unapplied === 0,
      'the swept callbacks being applied',
    );
  });

  it('purges applied callbacks past their retention, keeps newer and unapplied ones, and then takes the same body as new', async () => {
    worker ??= await startWorker(env);
    const [oldApplied, oldUnapplied, recent] = await stored(3);
    // The worker applies them; one is then made owed again, and held by a job so that no sweep
    // applies it meanwhile.
    await until(
      () => prisma.callbackInbox.count({ where: { id: { in: [oldApplied, oldUnapplied] }, appliedAt: null } }),
      (unapplied) => unapplied === 0,
      'the callbacks being applied',
    );
    const longAgo = new Date(Date.now() - 100 * 3_600_000);
    await prisma.callbackInbox.update({ where: { id: oldApplied }, data: { receivedAt: longAgo } });
    await prisma.callbackInbox.update({
      where: { id: oldUnapplied },
      data: { receivedAt: longAgo, appliedAt: null, claimedUntil: new Date(Date.now() + 600_000) },
    });
    const purgedBody = (await prisma.callbackInbox.findUniqueOrThrow({ where: { id: oldApplied } })).payload;

    expect(await applier.purgeApplied(72)).toBeGreaterThanOrEqual(1);
    const left = await prisma.callbackInbox.findMany({
      where: { id: { in: [oldApplied, oldUnapplied, recent] } },
    });
    expect(left.map((row) => row.id).sort()).toEqual([oldUnapplied, recent].sort());
    // Its dedupe key went with it: the vendor sending it again now is a new callback.
    expect((await post(purgedBody)).receipt.duplicate).toBe(false);
  });
});
