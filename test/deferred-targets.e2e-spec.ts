import type { INestApplicationContext } from '@nestjs/common';
import { TaskCreationService, TaskSweeper } from '@fleetgate/fleet';
import { PrismaService } from '@fleetgate/persistence';
import { JobProducer, QueueName } from '@fleetgate/queues';
import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import { callApi } from './support/call-api';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { until } from './support/until';
import { serialOf, tasksPerAccount } from './support/tikmatrix-received';
import { startWorker } from './support/worker-harness';

const SERIALS = Array.from({ length: 40 }, (_, i) => `TMX${String(i + 1).padStart(6, '0')}`);
const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];

/**
 * A task selecting more devices than TASK_INLINE_TARGETS (4 here) is answered 202 before its
 * targets are written; the worker writes them. No worker runs until a test starts one, so that each
 * test sees the task as the gateway left it and runs the writer itself, twice at once where it
 * matters, against the TikMatrix simulator over HTTP.
 */
describe('targets written after the 202 (e2e, gateway, worker, TikMatrix simulator over HTTP)', () => {
  const env = { REDIS_PREFIX: `fg-deferred-${process.pid}-${Date.now()}`, TASK_INLINE_TARGETS: '4' };
  let sim: SimulatorServer;
  let simUrl: string;
  let gateway: RunningGateway;
  let worker: INestApplicationContext | undefined;
  let prisma: PrismaService;
  let creation: TaskCreationService;
  let token: string;
  let accountId: string;
  /** Device ids by serial. */
  const devices = new Map<string, string>();

  const call = (method: string, path: string, body?: unknown) => callApi(gateway.baseUrl, method, path, token, body);

  /** Starts scripts on these serials' devices by their ids; answers the 202's body. */
  async function startScripts(serials: string[]) {
    const accepted = await call('POST', '/tasks', {
      operation: { type: 'script.start', params: { script: 'login' } },
      targets: { deviceIds: serials.map((serial) => devices.get(serial)!) },
    });
    expect(accepted.status).toBe(202);
    return accepted.json as { id: string; preparing: boolean; status: string; counts: Record<string, number> };
  }

  /** The most tasks any one account of each serial received (TikMatrix makes one per signed-in account). */
  async function receivedPerSerial(): Promise<Map<string, number>> {
    const perSerial = new Map<string, number>();
    for (const [account, count] of await tasksPerAccount(simUrl)) {
      perSerial.set(serialOf(account), Math.max(perSerial.get(serialOf(account)) ?? 0, count));
    }
    return perSerial;
  }

  beforeAll(async () => {
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: SERIALS.length, timeScale: 0 });
    simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    prisma = gateway.app.get(PrismaService);
    creation = gateway.app.get(TaskCreationService);
    token = (await callApi(gateway.baseUrl, 'POST', '/auth/login', undefined, ADMIN)).json.accessToken;
    const account = await call('POST', '/vendor-accounts', {
      vendor: 'tikmatrix',
      name: `deferred-${Date.now()}`,
      baseUrl: simUrl,
      credentials: {},
    });
    expect(account.status).toBe(201);
    accountId = account.json.id;
    await prisma.device.createMany({
      data: SERIALS.map((serial) => ({ vendor: 'tikmatrix', accountId, vendorRef: serial, name: serial })),
    });
    for (const device of await prisma.device.findMany({ where: { accountId } }))
      devices.set(device.vendorRef, device.id);
  });

  afterAll(async () => {
    await worker?.close();
    await gateway?.close();
    await sim?.close();
  });

  it('answers 202 before writing the targets, counts them as pending, and writes them once when two writers run at once', async () => {
    const serials = SERIALS.slice(0, 12);
    const accepted = await startScripts(serials);
    expect(accepted).toMatchObject({ preparing: true, status: 'pending', counts: { pending: 12, total: 12 } });
    expect(await prisma.taskTarget.count({ where: { taskId: accepted.id } })).toBe(0);
    const read = await call('GET', `/tasks/${accepted.id}`);
    expect(read.json).toMatchObject({ preparing: true, counts: { pending: 12, total: 12 }, targetRows: [] });

    await Promise.all([creation.writeTargetsOf(accepted.id), creation.writeTargetsOf(accepted.id)]);
    const targets = await prisma.taskTarget.findMany({ where: { taskId: accepted.id } });
    expect(targets.map((target) => target.vendorRef).sort()).toEqual(serials);
    // One dispatch job staged for the one batch, not one per writer.
    const staged = await prisma.outboxJob.count({
      where: { jobName: 'tasks.dispatch', jobId: { contains: accepted.id } },
    });
    expect(staged).toBe(1);
    expect((await call('GET', `/tasks/${accepted.id}`)).json).toMatchObject({
      preparing: false,
      counts: { total: 12 },
    });
  });

  it('targets the devices selected when the task was accepted: none added since, none deleted since', async () => {
    const filterTag = `deferred-${Date.now()}`;
    const tagged = SERIALS.slice(12, 18);
    await prisma.device.updateMany({ where: { accountId, vendorRef: { in: tagged } }, data: { tags: [filterTag] } });
    const accepted = await call('POST', '/tasks', {
      operation: { type: 'script.start', params: { script: 'login' } },
      targets: { filter: { accountId, tag: filterTag } },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.json).toMatchObject({ preparing: true, counts: { total: 6 } });
    // After the 202 and before the worker: one more device matches, one selected device is gone.
    const late = await prisma.device.create({
      data: { vendor: 'tikmatrix', accountId, vendorRef: `LATE${Date.now()}`, name: 'late', tags: [filterTag] },
    });
    await prisma.device.delete({ where: { id: devices.get(tagged[0])! } });

    await creation.writeTargetsOf(accepted.json.id);
    const targets = await prisma.taskTarget.findMany({ where: { taskId: accepted.json.id } });
    expect(targets.map((target) => target.vendorRef).sort()).toEqual(tagged.slice(1));
    expect(targets.some((target) => target.deviceId === late.id)).toBe(false);
  });

  it('cancels a task whose targets are not written yet: it ends cancelled and nothing is written or sent', async () => {
    const serials = SERIALS.slice(20, 26);
    const accepted = await startScripts(serials);
    const cancelled = await call('POST', `/tasks/${accepted.id}/cancel`);
    expect(cancelled.status).toBe(201);
    expect(cancelled.json).toMatchObject({ status: 'cancelled', preparing: false });
    expect(cancelled.json.finishedAt).toEqual(expect.any(String));

    await creation.writeTargetsOf(accepted.id);
    expect(await prisma.taskTarget.count({ where: { taskId: accepted.id } })).toBe(0);
    expect((await call('GET', `/tasks/${accepted.id}`)).json).toMatchObject({ status: 'cancelled' });
    expect([...(await receivedPerSerial()).keys()].filter((serial) => serials.includes(serial))).toEqual([]);
  });

  it('counts the targets of a task not written yet as pending in GET /tasks/stats, as its own counts do', async () => {
    const pendingNow = async () =>
      ((await call('GET', '/tasks/stats')).json.targets.pending as number | undefined) ?? 0;
    const before = await pendingNow();
    const accepted = await startScripts([...SERIALS.slice(18, 20), ...SERIALS.slice(26, 30)]);
    expect((await pendingNow()) - before).toBe(6);
    // Cancelled before any worker runs: nothing is sent to these devices.
    expect((await call('POST', `/tasks/${accepted.id}/cancel`)).status).toBe(201);
    expect(await pendingNow()).toBe(before);
  });

  it('ends failed, not succeeded, a task whose every selected device is gone when its targets are written', async () => {
    const refs = Array.from({ length: 5 }, (_, i) => `GONE${Date.now()}${i}`);
    await prisma.device.createMany({
      data: refs.map((ref) => ({ vendor: 'tikmatrix', accountId, vendorRef: ref, name: ref })),
    });
    const ids = (await prisma.device.findMany({ where: { vendorRef: { in: refs } } })).map((device) => device.id);
    const accepted = await call('POST', '/tasks', {
      operation: { type: 'script.start', params: { script: 'login' } },
      targets: { deviceIds: ids },
    });
    expect(accepted.json).toMatchObject({ preparing: true, counts: { total: 5 } });
    await prisma.device.deleteMany({ where: { id: { in: ids } } });

    await creation.writeTargetsOf(accepted.json.id);
    // As POST /tasks refuses a selection of no device (422): nothing ran, and a scheduled run retries.
    expect((await call('GET', `/tasks/${accepted.json.id}`)).json).toMatchObject({
      status: 'failed',
      preparing: false,
      counts: { total: 0 },
    });
  });

  it('writes no target from a stored selection it cannot read (no department list, no accounts), and ends the task cancelled', async () => {
    const nobody = '00000000-0000-4000-8000-00000000dead';
    const unreadable = [
      // A departments scope without its department ids.
      {
        scope: { kind: 'caller', userId: nobody, departmentId: null, data: { kind: 'departments', userId: nobody } },
        accountIds: [accountId],
      },
      // No accounts.
      { scope: { kind: 'caller', userId: nobody, departmentId: null, data: { kind: 'own', userId: nobody } } },
    ];
    const serials = [...SERIALS.slice(18, 20), ...SERIALS.slice(26, 30)];
    for (const acceptedSelection of unreadable) {
      const accepted = await startScripts(serials);
      await prisma.task.update({ where: { id: accepted.id }, data: { acceptedSelection } });

      await creation.writeTargetsOf(accepted.id);
      expect(await prisma.taskTarget.count({ where: { taskId: accepted.id } })).toBe(0);
      expect((await call('GET', `/tasks/${accepted.id}`)).json).toMatchObject({
        status: 'cancelled',
        preparing: false,
      });
    }
  });

  it('counts a task written without naming targets_written_at (the code before this change, mid-deploy) as written', async () => {
    const task = await prisma.task.create({
      data: {
        number: BigInt(Date.now()),
        operationType: 'script.start',
        params: { script: 'login' },
        targetSpec: { accountId },
        targetTimeoutSeconds: 900,
      },
    });
    expect(task.targetsWrittenAt).not.toBeNull();
    expect((await call('GET', `/tasks/${task.id}`)).json).toMatchObject({ preparing: false });
  });

  it('a cancel that arrives while the targets are being written waits for them and cancels every one', async () => {
    const accepted = await startScripts([...SERIALS.slice(18, 20), ...SERIALS.slice(26, 30)]);
    const waiting = () =>
      prisma.$queryRaw<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`;
    // The task's row held as a writer would hold it, so that the writer and then the cancel queue behind it.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM tasks WHERE id = ${accepted.id}::uuid FOR UPDATE`;
        locked();
        await released;
      },
      { timeout: 60_000 },
    );
    await isLocked;
    const writing = creation.writeTargetsOf(accepted.id);
    await until(waiting, ([row]) => row.n === 1, 'the writer waiting for the row');
    const cancelling = call('POST', `/tasks/${accepted.id}/cancel`);
    await until(waiting, ([row]) => row.n === 2, 'the cancel waiting for the row');
    release();
    await holder;
    await writing;
    const cancelled = await cancelling;
    expect(cancelled.status).toBe(201);
    expect(cancelled.json).toMatchObject({ status: 'cancelled', preparing: false, counts: { total: 6, cancelled: 6 } });
    const targets = await prisma.taskTarget.findMany({ where: { taskId: accepted.id } });
    expect(targets.map((target) => target.status)).toEqual(targets.map(() => 'cancelled'));
    expect(targets).toHaveLength(6);
  });

  it('the sweeper brings back a write whose job was lost, and the worker sends each target once', async () => {
    const serials = SERIALS.slice(30, 38);
    const accepted = await startScripts(serials);
    const tasksQueue = gateway.app.get(JobProducer).queue(QueueName.Tasks);
    // The job the create relayed is lost, as with a Redis that lost its data.
    await until(
      () =>
        prisma.outboxJob.count({
          where: { jobName: 'tasks.prepare', jobId: { contains: accepted.id }, publishedAt: null },
        }),
      (unrelayed) => unrelayed === 0,
      'the prepare job relayed',
    );
    await tasksQueue.remove(`tasks.prepare/${accepted.id}`);
    await gateway.app.get(TaskSweeper).sweep(new Date(Date.now() + 3_600_000));

    worker = await startWorker(env);
    const ended = await until(
      async () => (await call('GET', `/tasks/${accepted.id}`)).json,
      (task) => FINAL.includes(task.status),
      'the task to end',
    );
    expect(ended).toMatchObject({ preparing: false, counts: { total: 8 } });
    const received = await receivedPerSerial();
    expect(serials.map((serial) => received.get(serial))).toEqual(serials.map(() => 1));
    // The first test's targets were sent by this worker too, each once.
    expect(SERIALS.slice(0, 12).map((serial) => received.get(serial))).toEqual(SERIALS.slice(0, 12).map(() => 1));
  });
});
