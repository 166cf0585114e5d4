/**
 * Task fan-out: a reboot of every device of an ArmCloud account (BENCH_FLEET, default 10,000), timed
 * from POST /tasks to its 202 (accepted), to its targets written (at once up to TASK_INLINE_TARGETS
 * devices, by the worker after the 202 beyond) and to the last target sent (dispatched), beside the ceiling
 * the account's rate limit allows (requests per second x 100 pads) and the vendor requests per second
 * the simulator received meanwhile (dispatches and polls share the limit), with the most requests the
 * simulator counted in any one-second window of the whole run beside the account's limit.
 *
 * Acceptance has a bare twin in the same run, just before the POST: the same targets (every device of
 * the account, batch numbers by a window function) written by plain pg with one `INSERT ... SELECT`
 * for a task row of its own, then rolled back. `accepted_vs_bare` and `targets_written_vs_bare` are
 * the gateway's times over that floor: what PostgreSQL alone needs to write the rows, their indexes
 * and foreign-key checks. The
 * gateway's resident memory (VmHWM, its peak since start; VmRSS before the POST) is read from /proc.
 */
import { Client } from 'pg';
import { DEMO_CREDENTIALS } from '@fleetgate/simulators';
import { BENCH_DATABASE_URL, loadAverage, memoryOf, report, startBench, until, runBenchmark } from './bench-harness';

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

    // Right before the POST, so that both see the machine as alike as a shared one allows.
    const bareMs = await bareInsertMs(account);
    const gatewayPid = bench.processes.gateway?.pid;
    const residentBeforePost = memoryOf(gatewayPid, 'VmRSS');
    const loadAtPost = loadAverage();
    started = performance.now();
    const requestsBefore = bench.sims.armcloud.server.requestsReceived;
    const created = await bench.api<{ id: string }>('POST', '/tasks', {
      operation: { type: 'device.reboot', params: {} },
      targets: { accountId: account },
    });
    const acceptedMs = performance.now() - started;
    if (created.status !== 202) throw new Error(`POST /tasks answered ${created.status}`);
    const peakAfterAccept = memoryOf(gatewayPid, 'VmHWM');
    await until(
      async () => (await prisma.task.findUniqueOrThrow({ where: { id: created.body.id } })).targetsWrittenAt,
      (writtenAt) => writtenAt !== null,
      undefined,
      100,
    );
    const targetsWrittenMs = performance.now() - started;
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
      bare_insert_ms: Math.round(bareMs),
      accepted_vs_bare: +(acceptedMs / bareMs).toFixed(2),
      targets_written_ms: Math.round(targetsWrittenMs),
      targets_written_vs_bare: +(targetsWrittenMs / bareMs).toFixed(2),
      gateway_rss_before_post: residentBeforePost,
      gateway_peak_rss: peakAfterAccept,
      load_at_post: loadAtPost,
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

/**
 * The bare twin of acceptance: a task row (cancelled, so that nothing would send it) and its targets
 * by one `INSERT ... SELECT` from the account's devices, timed from BEGIN to the insert's end, then
 * rolled back.
 */
async function bareInsertMs(accountId: string): Promise<number> {
  const client = new Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('BEGIN');
    const task = await client.query<{ id: string }>(
      `INSERT INTO tasks (id, number, operation_type, params, target_spec, status, target_timeout_seconds, cancelled_at, updated_at)
       VALUES (gen_random_uuid(), -(extract(epoch FROM clock_timestamp()) * 1000)::bigint, 'device.reboot',
               '{}', '{}', 'cancelled', 900, now(), now())
       RETURNING id`,
    );
    await client.query(
      `INSERT INTO task_targets (id, task_id, device_id, account_id, vendor, vendor_ref, batch, updated_at)
       SELECT gen_random_uuid(), $1, d.id, d.account_id, d.vendor, d.vendor_ref,
              (row_number() OVER (PARTITION BY d.account_id ORDER BY d.vendor_ref) - 1) / 100, now()
       FROM devices d WHERE d.account_id = $2`,
      [task.rows[0].id, accountId],
    );
    const elapsed = performance.now() - started;
    await client.query('ROLLBACK');
    return elapsed;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (const size of FLEET_SIZES) rows.push(await measure(size));
  await report('bench-fanout', rows);
}

runBenchmark(main);
