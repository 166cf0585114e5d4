import type { ChildProcess } from 'node:child_process';
import { authLogin, tasksCreate, tasksGet, vendorAccountsCreate, type TaskDetailDto } from '@fleetgate/sdk';
import { PrismaService } from '@fleetgate/persistence';
import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import { spawnApp, WORKER_MAIN } from './support/app-process';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { until } from './support/until';
import { serialOf, tasksPerAccount } from './support/tikmatrix-received';

const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];
const SERIALS = Array.from({ length: 150 }, (_, i) => `TMX${String(i + 1).padStart(6, '0')}`);

function countOf(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** The built worker as its own process, so that it can be killed with SIGKILL as a crash would. */
function spawnWorker(prefix: string): ChildProcess {
  return spawnApp(WORKER_MAIN, { REDIS_PREFIX: prefix, WORKER_LOCK_DURATION_MS: '3000' });
}

describe('a worker killed in the middle of a task (e2e, worker as a child process)', () => {
  const prefix = `fg-crash-${process.pid}-${Date.now()}`;
  let sim: SimulatorServer;
  let simUrl: string;
  let gateway: RunningGateway;
  let admin: RunningGateway['client'];
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: SERIALS.length, timeScale: 0 });
    simUrl = await sim.listen(0);
    gateway = await startGateway({ REDIS_PREFIX: prefix });
    const { data } = await authLogin({ client: gateway.client, body: ADMIN });
    admin = gateway.as(data!.accessToken);
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await gateway?.close();
    await sim?.close();
  });

  it('ends every target after a restart, and sends no non-repeatable command twice', async () => {
    const { data: account } = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'tikmatrix', name: `crash-${Date.now()}`, baseUrl: simUrl, credentials: {} },
    });
    const prisma = gateway.app.get(PrismaService);
    await prisma.device.createMany({
      data: SERIALS.map((serial) => ({ vendor: 'tikmatrix', accountId: account!.id, vendorRef: serial, name: serial })),
    });
    // Every vendor call takes 1.5 s, so the first batch is in flight when the worker dies.
    sim.setFaults({ latencyMs: 1_500 });

    const first = spawnWorker(prefix);
    workers.push(first);
    const { data: created } = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'script.start', params: { script: 'login' } },
        targets: { accountId: account!.id },
        // Batches of 50 targets every 5 s: the later batches are still waiting in Redis at the crash.
        rollout: { targetsPerMinute: 600 },
      },
    });
    const taskId = created!.id;
    await until(
      () => prisma.taskTarget.count({ where: { taskId, status: 'dispatching' } }),
      (count) => count > 0,
      'a batch in flight',
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    // The fault has served its purpose; polling 150 tasks one by one at 1.5 s each would only be slow.
    sim.setFaults({ latencyMs: 0 });
    workers.push(spawnWorker(prefix));
    const task = await until(
      async () => (await tasksGet({ client: admin, path: { id: taskId } })).data as TaskDetailDto,
      (value) => FINAL.includes(value.status),
      'the task ending after the restart',
    );
    expect(task.counts.total).toBe(SERIALS.length);
    expect(task.targetRows.every((target) => FINAL.includes(target.status))).toBe(true);

    // The vendor's own record: how many tasks each account of each serial received (a create makes
    // one per account on the device, so a serial sent twice shows as an account with two).
    const perAccount = await tasksPerAccount(simUrl);
    const perSerial = new Map<string, number>();
    for (const [account, count] of perAccount)
      perSerial.set(serialOf(account), (perSerial.get(serialOf(account)) ?? 0) + count);
    if (perAccount.size === 0) {
      // Say how the task ended, so that a run where nothing reached the vendor can be told apart.
      const outcomes = task.targetRows.map((target) => `${target.status}/${target.error?.code ?? '-'}`);
      throw new Error(
        `the vendor received no task; the task ended ${task.status} with ${JSON.stringify(countOf(outcomes))}`,
      );
    }
    expect(Math.max(...perAccount.values())).toBe(1);
    // A target the vendor got a task for either ran or, when its outcome was lost with the worker,
    // is settled as unknown; targets sent after the restart ran normally.
    const unknown = task.targetRows.filter((target) => target.error?.code === 'dispatch_unknown');
    const ran = task.targetRows.filter((target) => target.vendorTaskId);
    expect(ran.length + unknown.length).toBe(SERIALS.length);
    expect(ran.length).toBeGreaterThan(0);
    for (const target of ran) expect(perSerial.get(target.vendorRef)).toBe(target.vendorTaskIds.length);
  });
});
