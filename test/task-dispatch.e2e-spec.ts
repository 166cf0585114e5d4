import type { INestApplicationContext } from '@nestjs/common';
import {
  authLogin,
  devicesList,
  devicesRequestSync,
  tasksCreate,
  tasksGet,
  vendorAccountsCreate,
  type DeviceDto,
  type TaskDetailDto,
} from '@fleetgate/sdk';
import { TaskDispatcher, TaskSweeper } from '@fleetgate/fleet';
import { PrismaService } from '@fleetgate/persistence';
import {
  createGizwitsSimulator,
  createTikmatrixSimulator,
  DEMO_CREDENTIALS,
  SimulatorServer,
} from '@fleetgate/simulators';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { until } from './support/until';
import { startWorker } from './support/worker-harness';
import { serialOf, tasksPerAccount } from './support/tikmatrix-received';

type Client = RunningGateway['client'];
const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];
const SERIALS = Array.from({ length: 80 }, (_, i) => `TMX${String(i + 1).padStart(6, '0')}`);

/** Each of the serials reached the vendor, and no account of theirs got a task twice. */
async function expectSentOnce(simUrl: string, serials: string[]): Promise<void> {
  const perAccount = [...(await tasksPerAccount(simUrl))].filter(([account]) => serials.includes(serialOf(account)));
  expect(new Set(perAccount.map(([account]) => serialOf(account)))).toEqual(new Set(serials));
  expect(perAccount.filter(([, count]) => count !== 1)).toEqual([]);
}

/**
 * Two dispatch jobs for one batch (a stalled job run again, the sweeper, queue recovery) run at
 * once. No worker consumes the queue here: the test runs the dispatcher itself, twice, against the
 * TikMatrix simulator over HTTP, and counts what the vendor received.
 */
describe('dispatching one batch twice at once (e2e, TikMatrix simulator over HTTP)', () => {
  const prefix = `fg-claim-${process.pid}-${Date.now()}`;
  let sim: SimulatorServer;
  let simUrl: string;
  let gateway: RunningGateway;
  let admin: Client;
  let prisma: PrismaService;
  let dispatcher: TaskDispatcher;
  let accountId: string;
  let deviceIds: string[];

  beforeAll(async () => {
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: SERIALS.length, timeScale: 0 });
    simUrl = await sim.listen(0);
    gateway = await startGateway({ REDIS_PREFIX: prefix, TASK_MAX_TARGETS: '40' });
    const { data } = await authLogin({ client: gateway.client, body: ADMIN });
    admin = gateway.as(data!.accessToken);
    const { data: account } = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'tikmatrix', name: `claim-${Date.now()}`, baseUrl: simUrl, credentials: {} },
    });
    accountId = account!.id;
    prisma = gateway.app.get(PrismaService);
    dispatcher = gateway.app.get(TaskDispatcher);
    await prisma.device.createMany({
      data: SERIALS.map((serial) => ({ vendor: 'tikmatrix', accountId, vendorRef: serial, name: serial })),
    });
    const devices = await prisma.device.findMany({ where: { accountId }, orderBy: { vendorRef: 'asc' } });
    deviceIds = devices.map((device) => device.id);
  });

  afterAll(async () => {
    await gateway?.close();
    await sim?.close();
  });

  async function startScripts(ids: string[]): Promise<string> {
    const created = await tasksCreate({
      client: admin,
      body: { operation: { type: 'script.start', params: { script: 'login' } }, targets: { deviceIds: ids } },
    });
    expect(created.response.status).toBe(202);
    return created.data!.id;
  }

  it('sends each target once when two dispatches of one batch start together', async () => {
    const ids = deviceIds.slice(0, 30);
    const taskId = await startScripts(ids);
    const ref = { taskId, accountId, batch: 0, generation: 0, round: 0 };
    // The batch's rows are locked while both dispatches start, so that both read the batch before
    // either claims it: the claim alone must decide which one sends.
    const dispatches = await prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id::text FROM task_targets WHERE task_id = ${taskId}::uuid FOR UPDATE`;
        const both = [dispatcher.dispatch(ref), dispatcher.dispatch(ref)];
        await until(
          () => prisma.$queryRaw<Array<{ waiting: number }>>`
            SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%task_targets%'`,
          ([row]) => row.waiting >= 2,
          'both dispatches waiting to claim the batch',
        );
        return both;
      },
      { timeout: 30_000 },
    );
    const reports = await Promise.all(dispatches);

    expect(reports.reduce((sum, report) => sum + report.sent, 0)).toBe(30);
    await expectSentOnce(simUrl, SERIALS.slice(0, 30));
    const targets = await prisma.taskTarget.findMany({ where: { taskId } });
    expect(targets.filter((target) => !target.vendorTaskId || target.attempts !== 1)).toEqual([]);
  });

  it('leaves a batch another dispatch has in flight to that dispatch: nothing is sent again or settled unknown', async () => {
    const ids = deviceIds.slice(30, 60);
    const taskId = await startScripts(ids);
    const ref = { taskId, accountId, batch: 0, generation: 0, round: 0 };
    // The create takes 1.5 s, so the first dispatch is in flight when the second starts; the reads
    // of the created tasks that follow it are answered at once again.
    sim.setFaults({ latencyMs: 1_500 });
    let first: ReturnType<TaskDispatcher['dispatch']>;
    try {
      first = dispatcher.dispatch(ref);
      await until(
        () => prisma.taskTarget.count({ where: { taskId, status: 'dispatching' } }),
        (count) => count === 30,
        'the first dispatch claiming the batch',
      );
      const second = await dispatcher.dispatch(ref);
      expect(second.sent).toBe(0);
      expect(second.settledUnknown ?? 0).toBe(0);
    } finally {
      sim.setFaults({ latencyMs: 0 });
    }
    expect((await first).sent).toBe(30);
    await expectSentOnce(simUrl, SERIALS.slice(30, 60));
    const targets = await prisma.taskTarget.findMany({ where: { taskId } });
    expect(targets.filter((target) => !target.vendorTaskId || target.errorCode)).toEqual([]);
  });

  it('holds a device to one target per task, and deleting the device deletes its targets', async () => {
    // A device of its own (the simulator does not know it): nothing is dispatched for it here.
    const device = await prisma.device.create({
      data: { vendor: 'tikmatrix', accountId, vendorRef: `PROBE${Date.now()}`, name: 'probe' },
    });
    const taskId = await startScripts([device.id]);
    const [target] = await prisma.taskTarget.findMany({ where: { taskId } });
    expect(target.deviceId).toBe(device.id);
    // A second row for the same device and task would be sent a second time: the database refuses it.
    await expect(
      prisma.taskTarget.create({
        data: { taskId, deviceId: device.id, accountId, vendor: 'tikmatrix', vendorRef: device.vendorRef },
      }),
    ).rejects.toMatchObject({ code: 'P2002' });
    await prisma.device.delete({ where: { id: device.id } });
    expect(await prisma.taskTarget.count({ where: { taskId } })).toBe(0);
  });

  it('sends nothing of a paced batch dispatched before its not-before time, and comes back for it then', async () => {
    const created = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'script.start', params: { script: 'login' } },
        targets: { deviceIds: deviceIds.slice(60, 62) },
        // One target a minute: the second batch is due a minute after the first.
        rollout: { targetsPerMinute: 1 },
      },
    });
    const taskId = created.data!.id;
    const early = await dispatcher.dispatch({ taskId, accountId, batch: 1, generation: 0, round: 0 });
    expect(early).toMatchObject({ sent: 0, skipped: 'not due yet' });
    const target = await prisma.taskTarget.findFirstOrThrow({ where: { taskId, batch: 1 } });
    expect(target).toMatchObject({ status: 'pending', attempts: 0 });
    const task = await prisma.task.findUniqueOrThrow({ where: { id: taskId } });
    expect(target.notBefore!.getTime()).toBe(task.createdAt.getTime() + 60_000);
    const followUp = await prisma.outboxJob.findFirst({
      where: { jobId: { endsWith: `${taskId}/${accountId}/1/g0/r1/later` } },
    });
    expect(followUp?.delayMs).toBeGreaterThan(0);
    expect(
      [...(await tasksPerAccount(simUrl)).keys()].filter((account) => account.startsWith(`${SERIALS[61]}/`)),
    ).toEqual([]);
  });

  it('refuses, naming the field, an account or filter selecting more devices than TASK_MAX_TARGETS', async () => {
    for (const [targets, field] of [
      [{ accountId }, 'targets.accountId'],
      [{ filter: { accountId } }, 'targets.filter'],
    ] as const) {
      const refused = await tasksCreate({
        client: admin,
        body: { operation: { type: 'script.start', params: { script: 'login' } }, targets },
      });
      expect(refused.response.status).toBe(422);
      const error = (refused.error as { error: { details: Array<{ field: string; problem: string }> } }).error;
      expect(error.details).toEqual([{ field, problem: expect.stringMatching(/80 devices.*at most 40/) }]);
    }
  });
});

/**
 * A paced rollout that lasts longer than the sweeper's horizon (one second here, TASK_REDISPATCH_AFTER_SECONDS)
 * while the sweeper runs over and over: batches still go out at their pace, never before their
 * not-before time, and the abort threshold acts mid-rollout.
 */
describe('paced rollouts past the sweeper’s horizon (e2e, gateway, worker and the Gizwits simulator)', () => {
  const env = { REDIS_PREFIX: `fg-pace-${process.pid}-${Date.now()}`, TASK_REDISPATCH_AFTER_SECONDS: '1' };
  let sim: SimulatorServer;
  let simUrl: string;
  let gateway: RunningGateway;
  let worker: INestApplicationContext;
  let admin: Client;
  let devices: DeviceDto[];

  beforeAll(async () => {
    sim = new SimulatorServer(createGizwitsSimulator, { fleetSize: 12, timeScale: 0, seed: 11 });
    simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    worker = await startWorker(env);
    const { data } = await authLogin({ client: gateway.client, body: ADMIN });
    admin = gateway.as(data!.accessToken);
    const { data: account } = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'gizwits', name: `pace-${Date.now()}`, baseUrl: simUrl, credentials: DEMO_CREDENTIALS.gizwits },
    });
    await devicesRequestSync({ client: admin, body: { accountId: account!.id } });
    const page = await until(
      async () => (await devicesList({ client: admin, query: { accountId: account!.id, pageSize: 100 } })).data!,
      (list) => list.items.length === 12,
      'the Gizwits inventory sync',
    );
    devices = [...page.items].sort((a, b) => a.vendorRef.localeCompare(b.vendorRef));
    for (const device of devices) await setOnline(device, true);
  });

  afterAll(async () => {
    await worker?.close();
    await gateway?.close();
    await sim?.close();
  });

  async function setOnline(device: DeviceDto, online: boolean) {
    await fetch(`${simUrl}/_sim/gizwits/devices/${device.vendorRef}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ online }),
    });
  }

  /** Runs the sweeper over and over until the task ends, as a sweeper far behind the rollout would. */
  async function sweepUntilFinished(taskId: string): Promise<TaskDetailDto> {
    const sweeper = worker.get(TaskSweeper);
    return until(
      async () => {
        await sweeper.sweep();
        return (await tasksGet({ client: admin, path: { id: taskId } })).data!;
      },
      (task) => FINAL.includes(task.status),
      `task ${taskId} ending`,
      400,
    );
  }

  it('sends no batch before its not-before time while the sweeper runs past its horizon', async () => {
    const four = devices.slice(0, 4);
    const created = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'control.datapoints', params: { attrs: { brightness: 2 } } },
        targets: { deviceIds: four.map((device) => device.id) },
        // One target every 5 s: batches at 0, 5, 10 and 15 s.
        rollout: { targetsPerMinute: 12 },
      },
    });
    const task = await sweepUntilFinished(created.data!.id);
    expect(task.status).toBe('succeeded');
    const start = new Date(task.createdAt).getTime();
    const byRef = new Map(task.targetRows.map((target) => [target.vendorRef, target]));
    four.forEach((device, batch) => {
      const target = byRef.get(device.vendorRef)!;
      expect({ batch, attempts: target.attempts }).toEqual({ batch, attempts: 1 });
      expect(new Date(target.dispatchedAt!).getTime()).toBeGreaterThanOrEqual(start + batch * 5_000);
    });
  });

  it('still aborts mid-rollout once failures pass the threshold', async () => {
    const five = devices.slice(4, 9);
    for (const device of five) await setOnline(device, false);
    try {
      const created = await tasksCreate({
        client: admin,
        body: {
          operation: { type: 'control.datapoints', params: { attrs: { switch: true } } },
          targets: { deviceIds: five.map((device) => device.id) },
          rollout: { targetsPerMinute: 12, abortFailurePercent: 50, abortMinTargets: 2 },
        },
      });
      const task = await sweepUntilFinished(created.data!.id);
      expect(task.abortedAt).toEqual(expect.any(String));
      expect(task.counts).toMatchObject({ failed: 2, cancelled: 3, total: 5 });
    } finally {
      for (const device of five) await setOnline(device, true);
    }
  });
});
