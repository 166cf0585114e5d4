/**
 * Task fan-out: a reboot of every device of an ArmCloud account (BENCH_FLEET, default 10,000), timed
 * from POST /tasks to its 202 (accepted) and to the last target sent (dispatched), beside the ceiling
 * the account's rate limit allows (requests per second x 100 pads) and the vendor requests per second
 * the simulator received meanwhile (dispatches and polls share the limit), with the most requests the
 * simulator counted in any one-second window of the whole run beside the account's limit.
 */
import { DEMO_CREDENTIALS } from '@fleetgate/simulators';
import { report, startBench, until, runBenchmark } from './bench-harness';

const FLEET_SIZES = (process.env.BENCH_FLEET ?? '10000').split(',').map(Number);
const RATE = Number(process.env.BENCH_RATE ?? 20);

async function measure(fleetSize: number) {
  const bench = await startBench({ fleetSize, withWorker: true, processes: true, rateLimitPerSecond: RATE });
  // Counting 100,000 rows ten times a second would itself slow what is measured; 1 s is 2% of that run.
  const readEveryMs = Math.min(1_000, Math.max(100, fleetSize / 100));
  try {
    const account = bench.accounts.armcloud.id;
    const prisma = bench.prisma;
    let started = performance.now();
    await bench.api('POST', '/devices/sync', { accountId: account });
    await until(
      () => prisma.device.count({ where: { accountId: account } }),
      (count) => count === fleetSize,
      undefined,
      readEveryMs,
    );
    const syncSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    const requestsBefore = bench.sims.armcloud.server.requestsReceived;
    const created = await bench.api<{ id: string }>('POST', '/tasks', {
      operation: { type: 'device.reboot', params: {} },
      targets: { accountId: account },
    });
    const acceptedMs = performance.now() - started;
    if (created.status !== 202) throw new Error(`POST /tasks answered ${created.status}`);
    await until(
      // Dispatched: no target is waiting to be sent or being sent; one the vendor refused has ended.
      () => prisma.taskTarget.count({ where: { taskId: created.body.id, status: { in: ['pending', 'dispatching'] } } }),
      (left) => left === 0,
      undefined,
      readEveryMs,
    );
    const dispatchSeconds = (performance.now() - started) / 1000;
    // Dispatches and the polls that follow them share the account's limit: together they should fill it.
    const vendorRequestsPerSecond = (bench.sims.armcloud.server.requestsReceived - requestsBefore) / dispatchSeconds;
    const unsent = await prisma.taskTarget.count({ where: { taskId: created.body.id, vendorTaskId: null } });
    // What the vendor saw, counted by the simulator per access key: a throttling vendor does not average.
    const counted = (await (await fetch(`${bench.sims.armcloud.url}/_sim/requests`)).json()) as {
      accounts: Record<string, { received: number; maxInAnySecond: number }>;
    };
    const maxInAnySecond = counted.accounts[DEMO_CREDENTIALS.armcloud.accessKeyId]?.maxInAnySecond ?? 0;
    return {
      devices: fleetSize,
      sync_s: +syncSeconds.toFixed(2),
      sync_devices_per_s: Math.round(fleetSize / syncSeconds),
      accepted_ms: Math.round(acceptedMs),
      dispatched_s: +dispatchSeconds.toFixed(2),
      dispatched_per_s: Math.round(fleetSize / dispatchSeconds),
      rate_limit_ceiling_per_s: RATE * 100,
      vendor_requests_per_s: +vendorRequestsPerSecond.toFixed(1),
      vendor_max_in_any_1s: maxInAnySecond,
      rate_limit_per_s: RATE,
      ended_without_vendor_task: unsent,
    };
  } finally {
    await bench.close();
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (const size of FLEET_SIZES) rows.push(await measure(size));
  await report('bench-fanout', rows);
}

runBenchmark(main);
