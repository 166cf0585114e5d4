import type { ChildProcess } from 'node:child_process';
import { PrismaService } from '@fleetgate/persistence';
import {
  authLogin,
  type CreateScheduledJobDto,
  devicesList,
  devicesRequestSync,
  type JobRunDto,
  scheduledJobsCreate,
  scheduledJobsRuns,
  scheduledJobsStop,
  vendorAccountsCreate,
} from '@fleetgate/sdk';
import { createGizwitsSimulator, DEMO_CREDENTIALS, SimulatorServer } from '@fleetgate/simulators';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { spawnApp, stopApp, WORKER_MAIN } from './support/app-process';

type RoutedRun = JobRunDto & { shardIndex: number; shardTotal: number };

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, seconds = 60): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`${what} did not happen: ${JSON.stringify(value).slice(0, 600)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const byTick = (runs: RoutedRun[]) => {
  const ticks = new Map<string, RoutedRun[]>();
  for (const run of runs) ticks.set(run.scheduledFor, [...(ticks.get(run.scheduledFor) ?? []), run]);
  return ticks;
};

describe('scheduled jobs routed over executors (e2e: two worker processes of one group, one killed)', () => {
  const prefix = `fg-route-${process.pid}-${Date.now()}`;
  // A group of its own: the executors table is shared with every other run against this database.
  const executorGroup = `route-${process.pid}-${Date.now()}`;
  let sim: SimulatorServer;
  let gateway: RunningGateway;
  let admin: RunningGateway['client'];
  let prisma: PrismaService;
  let deviceIds: string[];
  /** Executor id → its process. */
  const workers = new Map<string, ChildProcess>();
  const jobIds: string[] = [];

  const runsOf = async (jobId: string): Promise<RoutedRun[]> =>
    (await scheduledJobsRuns({ client: admin, query: { jobId, pageSize: 200 } })).data!.items as RoutedRun[];
  const onlineExecutors = () =>
    prisma.executor.findMany({
      where: { groupName: executorGroup, lastHeartbeatAt: { gte: new Date(Date.now() - 3_000) } },
      orderBy: { id: 'asc' },
    });
  const createJob = async (body: Partial<CreateScheduledJobDto>) => {
    const { data: job, error } = await scheduledJobsCreate({
      client: admin,
      body: <CreateScheduledJobDto>{
        name: `${body.routing}-${Date.now()}`,
        scheduleKind: 'cron',
        overlapPolicy: 'discard',
        executorGroup,
        action: {
          operation: { type: 'control.datapoints', params: { attrs: { switch: true } } },
          targets: { deviceIds },
        },
        ...body,
      },
    });
    if (!job) throw new Error(`job refused: ${JSON.stringify(error)}`);
    jobIds.push(job.id);
    return job;
  };
  const stop = (id: string) => scheduledJobsStop({ client: admin, path: { id } });

  beforeAll(async () => {
    sim = new SimulatorServer(createGizwitsSimulator, { fleetSize: 10, timeScale: 0, seed: 5 });
    const simUrl = await sim.listen(0);
    gateway = await startGateway({ REDIS_PREFIX: prefix });
    prisma = gateway.app.get(PrismaService);
    for (let i = 0; i < 2; i++) {
      const worker = spawnApp(WORKER_MAIN, {
        REDIS_PREFIX: prefix,
        EXECUTOR_GROUP: executorGroup,
        // Offline after 3 s without a beat, and a dead worker's BullMQ jobs taken over after 3 s.
        EXECUTOR_HEARTBEAT_MS: '1000',
        WORKER_LOCK_DURATION_MS: '3000',
      });
      const executor = await until(
        () => prisma.executor.findFirst({ where: { groupName: executorGroup, pid: worker.pid } }),
        (row) => row !== null,
        'the worker registering as an executor',
      );
      workers.set(executor!.id, worker);
    }
    const { data } = await authLogin({ client: gateway.client, body: ADMIN });
    admin = gateway.as(data!.accessToken);
    const { data: account } = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'gizwits', name: `route-${Date.now()}`, baseUrl: simUrl, credentials: DEMO_CREDENTIALS.gizwits },
    });
    await devicesRequestSync({ client: admin, body: { accountId: account!.id } });
    const page = await until(
      async () => (await devicesList({ client: admin, query: { accountId: account!.id } })).data!,
      (list) => list.items.filter((device) => device.status === 'online').length >= 4,
      'inventory sync',
    );
    deviceIds = page.items.filter((device) => device.status === 'online').map((device) => device.id);
  });

  afterAll(async () => {
    for (const id of jobIds) await stop(id).catch(() => undefined);
    await Promise.all([...workers.values()].map(stopApp));
    await gateway?.close();
    await sim?.close();
  });

  it('broadcast: every tick runs once on each online executor, each with its shard of the targets', async () => {
    deviceIds = deviceIds.slice(0, 4);
    const job = await createJob({ routing: 'broadcast', cron: '*/2 * * * * *' });
    const complete = (runs: RoutedRun[]) =>
      [...byTick(runs).values()].filter((tick) => tick.length === 2 && tick.every((run) => run.status === 'succeeded'));
    const runs = await until(
      () => runsOf(job.id),
      (items) => complete(items).length >= 2,
      'two broadcast ticks',
    );
    await stop(job.id);

    const keys = runs.map((run) => `${run.scheduledFor}/${run.attempt}/${run.shardIndex}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const tick of complete(runs)) {
      expect(tick.map((run) => [run.shardIndex, run.shardTotal]).sort()).toEqual([
        [0, 2],
        [1, 2],
      ]);
      expect(new Set(tick.map((run) => run.executor))).toEqual(new Set(workers.keys()));
      // The shards split the targets: each device once across the tick's two tasks.
      const targets = await prisma.taskTarget.findMany({
        where: { taskId: { in: tick.map((run) => run.taskId!) } },
        select: { taskId: true, deviceId: true },
      });
      expect(targets.map((target) => target.deviceId).sort()).toEqual([...deviceIds].sort());
      expect(new Set(targets.map((target) => target.taskId)).size).toBe(2);
    }
  });

  it('round_robin: consecutive fires alternate between the two executors', async () => {
    const job = await createJob({ routing: 'round_robin', cron: '*/2 * * * * *' });
    const routed = (runs: RoutedRun[]) =>
      runs
        .filter((run) => run.status === 'succeeded' && run.trigger === 'schedule')
        .sort((a, b) => a.scheduledFor.localeCompare(b.scheduledFor));
    // A run ends at the next settle (every 10 s); the ticks in between are skipped for overlap.
    const runs = routed(
      await until(
        () => runsOf(job.id),
        (items) => routed(items).length >= 4,
        'four fires',
        100,
      ),
    );
    await stop(job.id);
    for (let i = 1; i < runs.length; i++) expect(runs[i].executor).not.toBe(runs[i - 1].executor);
    expect(new Set(runs.map((run) => run.executor))).toEqual(new Set(workers.keys()));
  }, 120_000);

  it('failover: a run whose executor is killed fails and is retried on the other, which runs the later ticks', async () => {
    // Two targets paced at 2 a minute: the second is sent 30 s after the first, so each run lasts that long.
    deviceIds = deviceIds.slice(0, 2);
    const job = await createJob({
      routing: 'failover',
      cron: '*/3 * * * * *',
      retryCount: 1,
      retryScope: 'all',
      action: {
        operation: { type: 'control.datapoints', params: { attrs: { switch: true } } },
        targets: { deviceIds },
        rollout: { targetsPerMinute: 2 },
      },
    });
    const [first] = await until(
      () => runsOf(job.id),
      (items) => items.some((run) => run.status === 'running' && run.taskId),
      'the first run under way',
    ).then((items) => items.filter((run) => run.status === 'running' && run.taskId));
    const [primary] = await onlineExecutors();
    expect(first.executor).toBe(primary.id);
    const killed = workers.get(first.executor!)!;
    const survivor = [...workers.keys()].find((id) => id !== first.executor)!;
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.once('exit', resolve));
    workers.delete(first.executor!);
    const killedAt = new Date().toISOString();

    // Settled within a bounded time: offline after 3 s, a settle every 10 s.
    const failed = await until(
      async () => (await runsOf(job.id)).find((run) => run.id === first.id)!,
      (run) => run.status !== 'running',
      'the run of the killed executor failing',
      30,
    );
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^executor_lost/) });
    const laterTicks = (runs: RoutedRun[]) =>
      runs.filter((run) => run.trigger === 'schedule' && run.status === 'succeeded' && run.triggeredAt > killedAt);
    const runs = await until(
      () => runsOf(job.id),
      (items) =>
        items.some(
          (run) => run.scheduledFor === first.scheduledFor && run.attempt === 1 && run.status === 'succeeded',
        ) && laterTicks(items).length >= 1,
      'the retry and a later tick, on the survivor',
      120,
    );
    await stop(job.id);

    const retry = runs.find((run) => run.scheduledFor === first.scheduledFor && run.attempt === 1)!;
    expect(retry).toMatchObject({ trigger: 'retry', executor: survivor, status: 'succeeded' });
    for (const run of laterTicks(runs)) expect(run.executor).toBe(survivor);
    // Whatever ran after the kill ran on the survivor; the rest of the ticks were skipped for overlap.
    for (const run of runs.filter((item) => item.triggeredAt > killedAt && item.status !== 'skipped')) {
      expect(run.executor).toBe(survivor);
    }

    // No tick recorded twice, none lost: every 3 s tick from the first to the last has its run.
    const keys = runs.map((run) => `${run.scheduledFor}/${run.attempt}/${run.shardIndex}`);
    expect(new Set(keys).size).toBe(keys.length);
    const ticks = new Set(runs.map((run) => Date.parse(run.scheduledFor)));
    const times = [...ticks].sort((a, b) => a - b);
    for (let time = times[0]; time <= times[times.length - 1]; time += 3_000) expect(ticks.has(time)).toBe(true);
  }, 240_000);
});
