import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { JobProducer, jobRepeatsOf, QueueMetrics, QueueName } from '@fleetgate/queues';
import { EXECUTOR_ID, ExecutorQueues, ScheduleRunner } from '@fleetgate/scheduling';
import {
  authLogin,
  scheduledJobsListExecutors,
  devicesList,
  devicesRequestSync,
  scheduledJobsClean,
  scheduledJobsCopy,
  scheduledJobsCreate,
  scheduledJobsGet,
  scheduledJobsNextFireTimes,
  scheduledJobsRun,
  scheduledJobsRuns,
  scheduledJobsStats,
  scheduledJobsStop,
  vendorAccountsCreate,
  type CreateScheduledJobDto,
  type JobRunDto,
} from '@fleetgate/sdk';
import { createGizwitsSimulator, DEMO_CREDENTIALS, SimulatorServer } from '@fleetgate/simulators';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { testConfig } from './support/test-env';
import { startWorker } from './support/worker-harness';
import { until } from './support/until';

describe('scheduled jobs (e2e: gateway and two workers at once, Gizwits simulator)', () => {
  // A group of its own: the executors table is shared with every other run against this database.
  const executorGroup = `sched-${process.pid}-${Date.now()}`;
  const env = {
    REDIS_PREFIX: `fg-sched-${process.pid}-${Date.now()}`,
    EXECUTOR_GROUP: executorGroup,
    // Not the default, so that the registered interval shows it came from the configuration.
    VENDOR_SCHEDULE_SYNC_MS: '120000',
  };
  let sim: SimulatorServer;
  let gateway: RunningGateway;
  const workers: INestApplicationContext[] = [];
  let admin: RunningGateway['client'];
  let deviceId: string;

  const runsOf = async (jobId: string): Promise<JobRunDto[]> =>
    (await scheduledJobsRuns({ client: admin, query: { jobId, pageSize: 200 } })).data!.items;

  beforeAll(async () => {
    sim = new SimulatorServer(createGizwitsSimulator, { fleetSize: 10, timeScale: 0, seed: 5 });
    const simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    // Two workers at once: each tick must still fire once.
    workers.push(await startWorker(env), await startWorker(env));
    const { data } = await authLogin({ client: gateway.client, body: ADMIN });
    admin = gateway.as(data!.accessToken);
    const { data: account } = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'gizwits', name: `sched-${Date.now()}`, baseUrl: simUrl, credentials: DEMO_CREDENTIALS.gizwits },
    });
    await devicesRequestSync({ client: admin, body: { accountId: account!.id } });
    const page = await until(
      async () => (await devicesList({ client: admin, query: { accountId: account!.id } })).data!,
      (list) => list.items.some((device) => device.status === 'online'),
      'inventory sync',
    );
    deviceId = page.items.find((device) => device.status === 'online')!.id;
  });

  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await gateway?.close();
    await sim?.close();
  });

  const action = () => ({
    operation: { type: 'control.datapoints' as const, params: { attrs: { switch: true } } },
    targets: { deviceIds: [deviceId] },
  });

  it('fires a seconds cron on every tick once, across two workers, each run with its task', async () => {
    const { data: job } = await scheduledJobsCreate({
      client: admin,
      body: <CreateScheduledJobDto>{
        name: `every-2s-${Date.now()}`,
        scheduleKind: 'cron',
        cron: '*/2 * * * * *',
        action: action(),
        overlapPolicy: 'discard',
        executorGroup,
      },
    });
    expect(job!.nextFireAt).toEqual(expect.any(String));
    expect(job).toMatchObject({ executorGroup, routing: 'first' });
    const runs = await until(
      () => runsOf(job!.id),
      (items) => items.filter((run) => run.status === 'succeeded').length >= 3,
      'three successful runs',
    );
    await scheduledJobsStop({ client: admin, path: { id: job!.id } });
    const ticks = runs.map((run) => `${run.scheduledFor}/${run.attempt}`);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const run of runs.filter((item) => item.status === 'succeeded')) {
      expect(run).toMatchObject({
        trigger: 'schedule',
        taskId: expect.any(String),
        executor: expect.any(String),
        shardIndex: 0,
        shardTotal: 1,
      });
      expect(new Date(run.scheduledFor).getUTCSeconds() % 2).toBe(0);
    }
    const stopped = (await scheduledJobsGet({ client: admin, path: { id: job!.id } })).data!;
    expect(stopped).toMatchObject({ enabled: false, nextFireAt: null });
  });

  it('lists next fire times, runs a job once on demand, and copies it stopped', async () => {
    const { data: job } = await scheduledJobsCreate({
      client: admin,
      body: <CreateScheduledJobDto>{
        name: `weekly-${Date.now()}`,
        scheduleKind: 'weekly',
        weekdays: ['mon', 'thu'],
        timeOfDay: '09:30',
        timeZone: 'Europe/Paris',
        action: action(),
        executorGroup,
      },
    });
    const { data: times } = await scheduledJobsNextFireTimes({
      client: admin,
      path: { id: job!.id },
      query: { count: 4 },
    });
    expect(times).toHaveLength(4);
    for (const time of times!) {
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
      }).format(new Date(String(time)));
      expect(local).toMatch(/^(Mon|Thu) 09:30$/);
    }

    await scheduledJobsRun({ client: admin, path: { id: job!.id } });
    const [manual] = await until(
      () => runsOf(job!.id),
      (items) => items.some((run) => run.status === 'succeeded'),
      'the manual run',
    );
    expect(manual).toMatchObject({ trigger: 'manual', status: 'succeeded' });

    const { data: copy } = await scheduledJobsCopy({
      client: admin,
      path: { id: job!.id },
      body: { name: `${job!.name}-copy` },
    });
    expect(copy).toMatchObject({
      enabled: false,
      scheduleKind: 'weekly',
      weekdays: ['mon', 'thu'],
      action: job!.action,
    });
  });

  it('fires a one-off schedule at its time', async () => {
    const runAt = new Date(Date.now() + 1_500).toISOString();
    const { data: job } = await scheduledJobsCreate({
      client: admin,
      body: <CreateScheduledJobDto>{
        name: `once-${Date.now()}`,
        scheduleKind: 'once',
        runAt,
        action: action(),
        executorGroup,
      },
    });
    const [run] = await until(
      () => runsOf(job!.id),
      (items) => items.length === 1 && items[0].status !== 'running',
      'the one-off run',
    );
    expect(run).toMatchObject({ scheduledFor: runAt, status: 'succeeded' });
  });

  it('skips a misfired tick when its policy says skip, and records it', async () => {
    const { data: job } = await scheduledJobsCreate({
      client: admin,
      body: {
        name: `misfire-${Date.now()}`,
        scheduleKind: 'cron',
        cron: '0 0 1 1 *',
        misfirePolicy: 'skip',
        action: action(),
      },
    });
    const late = new Date(Date.now() - 5 * 60_000).toISOString();
    const report = await workers[0]
      .get(ScheduleRunner)
      .fire({ jobId: job!.id, trigger: 'schedule', scheduledFor: late }, { timestamp: 0, delay: 0, opts: {} });
    expect(report).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^misfired/) });
    const [run] = await runsOf(job!.id);
    expect(run).toMatchObject({ status: 'skipped', scheduledFor: late });
  });

  it('refuses a bad schedule naming the field, reports runs per day, and cleans the dispatch log', async () => {
    const refused = await scheduledJobsCreate({
      client: admin,
      body: { name: `bad-${Date.now()}`, scheduleKind: 'cron', cron: '61 * * * *', action: action() },
    });
    expect(refused.response.status).toBe(400);
    expect((refused.error as { error: { details: Array<{ field: string }> } }).error.details[0].field).toBe('cron');

    const { data: stats } = await scheduledJobsStats({ client: admin, query: {} });
    const today = new Date().toISOString().slice(0, 10);
    expect(stats!.days.find((day) => day.day === today)!.succeeded).toBeGreaterThanOrEqual(3);

    const { data: cleaned } = await scheduledJobsClean({ client: admin, body: { keepLast: 1 } });
    expect(cleaned!.deleted).toBeGreaterThan(0);
    const both = await scheduledJobsClean({ client: admin, body: { keepLast: 1, olderThanDays: 1 } });
    expect(both.response.status).toBe(400);
  });

  it("registers the catalogue's repeats once however many workers start, at the configured intervals", async () => {
    const schedulers = await workers[0].get(JobProducer).queue(QueueName.Maintenance).getJobSchedulers();
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(
      schedulers
        .map((scheduler) => ({ id: scheduler.key, name: scheduler.name, every: Number(scheduler.every) }))
        .sort(byName),
    ).toEqual(
      jobRepeatsOf(testConfig(env))
        .map(({ name, every }) => ({ id: name, name, every }))
        .sort(byName),
    );
    expect(schedulers.find((scheduler) => scheduler.name === 'schedules.vendor-sync')?.every).toBe(120_000);
  });

  it("runs what lands on this worker's executor queue through the JobRouter, timed in its job metrics", async () => {
    // Both workers of this process are one executor (same id), so either may take the run.
    const timedRuns = async () => {
      let count = 0;
      for (const worker of workers) {
        for (const value of (await worker.get(QueueMetrics).jobDuration.get()).values) {
          if (
            value.metricName === 'fleetgate_job_duration_seconds_count' &&
            value.labels.name === 'schedules.run' &&
            value.labels.outcome === 'completed'
          )
            count += value.value;
        }
      }
      return count;
    };
    const before = await timedRuns();
    // A run that does not exist: the runner answers at once that it is done already.
    const runId = randomUUID();
    await workers[0].get(ExecutorQueues).enqueue(EXECUTOR_ID, 'schedules.run', { runId }, ['probe', runId]);
    await until(timedRuns, (count) => count > before, 'the run being timed by the JobRouter');
  });

  it('lists the workers as executors, online while they beat', async () => {
    const { data: executors } = await scheduledJobsListExecutors({ client: admin });
    const mine = executors!.find((executor) => executor.pid === process.pid);
    expect(mine).toMatchObject({ status: 'online', groupName: executorGroup, runningJobs: expect.any(Number) });
  });

  it('records a fire of a group without an online executor as failed no_online_executor, and refuses a bad group or routing', async () => {
    const { data: job } = await scheduledJobsCreate({
      client: admin,
      body: <CreateScheduledJobDto>{
        name: `nobody-${Date.now()}`,
        scheduleKind: 'cron',
        cron: '0 0 1 1 *',
        action: action(),
        executorGroup: `${executorGroup}-empty`,
        routing: 'round_robin',
      },
    });
    await scheduledJobsRun({ client: admin, path: { id: job!.id } });
    const [run] = await until(
      () => runsOf(job!.id),
      (items) => items.length === 1,
      'the run without an executor',
    );
    expect(run).toMatchObject({ status: 'failed', error: 'no_online_executor', executor: null });

    for (const body of [{ executorGroup: 'no spaces' }, { routing: 'random' }]) {
      const refused = await scheduledJobsCreate({
        client: admin,
        body: <CreateScheduledJobDto>{
          name: `bad-${Date.now()}`,
          scheduleKind: 'cron',
          cron: '* * * * *',
          action: action(),
          ...body,
        },
      });
      expect(refused.response.status).toBe(400);
    }
  });
});
