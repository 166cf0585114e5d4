/**
 * Vendor callbacks ingested per second through POST /webhooks/armcloud/{account}, a tenth of them
 * sent twice, then checked: every distinct callback stored and applied exactly once, every
 * duplicate acknowledged and not stored again. Its bare twin, in the same run and from the same load
 * generator first: plain Fastify and pg storing each callback by its key (`bare-server.ts`).
 */
import autocannon from 'autocannon';
import {
  cpuSecondsOf,
  cpuSecondsByPidOfProgram,
  cpuSecondsOfProgram,
  report,
  runBenchmark,
  startBareServer,
  startBench,
  until,
} from './bench-harness';

const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 20_000);
// Distinct callbacks each side takes, unmeasured, before its measured run: a gateway just started would
// otherwise spend the run's first second compiling its request path, where the twin's is a few lines.
const WARMUP_CALLBACKS = Number(process.env.BENCH_WARMUP_CALLBACKS ?? 4_000);
// A vendor pushing callbacks for a large fleet keeps many requests open at once; BENCH_CONCURRENCY changes it.
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);
// Gateway processes behind the senders (a deployment runs one a core); the connections are shared
// among them, as a load balancer keeping connections alive would.
const GATEWAYS = Number(process.env.BENCH_GATEWAYS ?? 1);

/**
 * Sends every body once from CONCURRENCY kept-alive connections, shared among the origins; counts the
 * duplicates acknowledged and the refusals, and calls `onLastAnswer` as the last answer arrives.
 */
async function send(
  origins: string[],
  path: string,
  headers: Record<string, string>,
  sends: string[],
  onLastAnswer: () => void = () => undefined,
): Promise<{ duplicates: number; refused: number; seconds: number }> {
  // autocannon writes each request on a raw socket and parses the answer with llhttp: the load generator
  // shares the two cores with what it measures, and it takes less of them than undici's Pool did.
  let next = 0;
  let answered = 0;
  let duplicates = 0;
  let refused = 0;
  // autocannon notices it has sent `amount` only at its next one-second tick: the run ends when the
  // last answer arrives, not when autocannon returns.
  const started = performance.now();
  let finished = NaN;
  await Promise.all(
    origins.map((origin, index) => {
      const share = Math.floor(sends.length / origins.length) + (index < sends.length % origins.length ? 1 : 0);
      return autocannon({
        url: `${origin}${path}`,
        connections: Math.ceil(CONCURRENCY / origins.length),
        amount: share,
        timeout: 60,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        requests: [
          {
            setupRequest: (request) => ({ ...request, body: sends[next++] }),
            onResponse: (status, body) => {
              if (status !== 200) refused++;
              else if ((JSON.parse(body) as { duplicate?: boolean }).duplicate) duplicates++;
              if (++answered === sends.length) {
                finished = performance.now();
                onLastAnswer();
              }
            },
          },
        ],
      });
    }),
  );
  if (answered !== sends.length) throw new Error(`${answered} of ${sends.length} callbacks answered`);
  return { duplicates, refused, seconds: (finished - started) / 1000 };
}

/** `count` callbacks from `firstTaskId` on, of which `repeated` are the first ones again (a vendor retrying). */
function callbacksOf(firstTaskId: number, count: number, repeated: number): { sends: string[]; unique: number } {
  const unique = count - repeated;
  const bodies = Array.from({ length: unique }, (_, i) =>
    JSON.stringify({ taskBusinessType: 1000, padCode: `AC${i % 1000}`, taskId: firstTaskId + i, taskStatus: 3 }),
  );
  return { sends: [...bodies, ...bodies.slice(0, repeated)], unique };
}

async function main(): Promise<void> {
  const bench = await startBench({ fleetSize: 10, withWorker: true, processes: true, gateways: GATEWAYS });
  const bare = await startBareServer();
  try {
    // The same callbacks to each: the twin first, then Fleetgate, back to back, so that both see the same
    // machine; a tenth of the measured ones are sent twice.
    const warmup = callbacksOf(500_000, WARMUP_CALLBACKS, 0);
    const { sends, unique } = callbacksOf(1_000_000, CALLBACKS, CALLBACKS - Math.round(CALLBACKS / 1.1));
    const account = bench.accounts.armcloud;
    const path = `/webhooks/armcloud/${account.id}`;
    const secret = { 'x-fleetgate-webhook-secret': account.webhookSecret };
    const prisma = bench.prisma;
    const appliedCount = () => prisma.callbackInbox.count({ where: { accountId: account.id, appliedAt: { not: null } } });
    if (WARMUP_CALLBACKS > 0) {
      await send([bare.url], '/callbacks', {}, warmup.sends);
      await send(bench.gatewayUrls, path, secret, warmup.sends);
      // The measured run starts once the worker has applied the warm-up's callbacks.
      await until(appliedCount, (count) => count >= warmup.unique);
    }
    const bareCpuBefore = cpuSecondsOf(bare.child) ?? NaN;
    let bareCpuAfter = NaN;
    const twin = await send([bare.url], '/callbacks', {}, sends, () => (bareCpuAfter = cpuSecondsOf(bare.child) ?? NaN));
    const twinPerSecond = sends.length / twin.seconds;
    const bareCpuMs = ((bareCpuAfter - bareCpuBefore) * 1000) / sends.length;

    // Where the two cores went while callbacks came in, in shares of one core, read at the start and as
    // the last answer arrives. `postgres` counts every PostgreSQL process of the machine (its WAL writer
    // and checkpointer too, but also whatever other databases do meanwhile); `ownBackends` only the
    // connections to this run's database.
    const cpu = () => {
      const postgres = cpuSecondsByPidOfProgram('postgres');
      return {
        gateway: (bench.processes.gateways ?? []).reduce((sum, child) => sum + (cpuSecondsOf(child) ?? NaN), 0),
        worker: cpuSecondsOf(bench.processes.worker) ?? NaN,
        postgres: [...postgres.values()].reduce((sum, seconds) => sum + seconds, 0),
        redis: cpuSecondsOfProgram('redis-server'),
        sender: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
        postgresByPid: postgres,
      };
    };
    const cpuBefore = cpu();
    let cpuAfter = cpuBefore;
    const started = performance.now();
    const ingest = await send(bench.gatewayUrls, path, secret, sends, () => (cpuAfter = cpu()));
    const { duplicates, refused } = ingest;
    const ingestSeconds = ingest.seconds;
    // This database's connections, as they are once the ingest is over: one opened during it started
    // from nothing; one closed during it is not counted.
    const backends = await bench.prisma.$queryRaw<Array<{ pid: number; application_name: string }>>`
      SELECT pid, application_name FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend'`;
    const backendSeconds = (application?: string) =>
      backends
        .filter((backend) => !application || backend.application_name === application)
        .reduce((sum, { pid }) => sum + (cpuAfter.postgresByPid.get(pid) ?? 0) - (cpuBefore.postgresByPid.get(pid) ?? 0), 0);
    const ownBackends = backendSeconds();
    type Part = Exclude<keyof typeof cpuAfter, 'postgresByPid'>;
    const used = (part: Part) => cpuAfter[part] - cpuBefore[part];
    const share = (part: Part) => Number((used(part) / ingestSeconds).toFixed(2));
    const msPerCallback = (seconds: number) => Number(((seconds * 1000) / sends.length).toFixed(3));
    // Stored and applied: the measured run's and the warm-up's.
    const stored = await prisma.callbackInbox.count({ where: { accountId: account.id } });
    const applied = await until(appliedCount, (count) => count >= stored);
    const appliedSeconds = (performance.now() - started) / 1000;
    const distinct = warmup.unique + unique;
    // Every apply job answers how many callbacks it applied: more in all than were stored is a callback
    // applied twice (a claim lost while its job still ran, say).
    const appliedByJobs = async () =>
      (await bench.completedJobResults<{ applied: number }>('callbacks.apply')).reduce((sum, job) => sum + job.applied, 0);
    const timesApplied = await until(appliedByJobs, (count) => count >= stored, 30_000);
    // Each distinct callback is its task id: one missing from the stored payloads was lost.
    const [{ kept }] = await prisma.$queryRaw<Array<{ kept: number }>>`
      SELECT count(DISTINCT payload->>'taskId')::int AS kept FROM callback_inbox WHERE account_id = ${account.id}::uuid`;
    await report('bench-callbacks', [
      { measure: 'callbacks sent (measured; warm-up before)', value: `${sends.length} (${warmup.sends.length})` },
      { measure: 'gateway processes', value: GATEWAYS },
      { measure: 'bare twin: accepted per second', value: Math.round(twinPerSecond) },
      { measure: 'bare twin: CPU ms per callback (bare server)', value: Number(bareCpuMs.toFixed(3)) },
      { measure: 'bare twin: refused / duplicates acknowledged', value: `${twin.refused} / ${twin.duplicates}` },
      { measure: 'accepted per second (ingest)', value: Math.round(sends.length / ingestSeconds) },
      {
        measure: 'accepted per second, ratio to the bare twin',
        value: Number((sends.length / ingestSeconds / twinPerSecond).toFixed(2)),
      },
      { measure: 'applied per second (ingest to last applied)', value: Math.round(unique / appliedSeconds) },
      {
        measure: 'gateway CPU ms per callback (ingest, every gateway process)',
        value: Number((((cpuAfter.gateway - cpuBefore.gateway) * 1000) / sends.length).toFixed(3)),
      },
      { measure: 'CPU during ingest, cores: gateway (every gateway process)', value: share('gateway') },
      { measure: 'CPU during ingest, cores: worker (applying)', value: share('worker') },
      { measure: 'CPU during ingest, cores: PostgreSQL', value: share('postgres') },
      {
        measure: 'CPU during ingest, cores: PostgreSQL (this database’s connections)',
        value: Number((ownBackends / ingestSeconds).toFixed(2)),
      },
      { measure: 'CPU during ingest, cores: Redis', value: share('redis') },
      { measure: 'CPU during ingest, cores: load generator', value: share('sender') },
      {
        // Less sensitive to what else runs on the machine than throughput; their sum is what one
        // callback costs the cores (5,000/s on two cores needs at most 0.4 ms).
        measure: 'CPU ms per callback (ingest): gateway / worker / PostgreSQL connections / Redis / load generator',
        value: [used('gateway'), used('worker'), ownBackends, used('redis'), used('sender')]
          .map((seconds) => msPerCallback(seconds).toFixed(3))
          .join(' / '),
      },
      {
        measure: 'PostgreSQL CPU ms per callback: the gateway’s connections (storing) / the worker’s (applying)',
        value: `${msPerCallback(backendSeconds('fleetgate-gateway')).toFixed(3)} / ${msPerCallback(backendSeconds('fleetgate-worker')).toFixed(3)}`,
      },
      { measure: 'refused', value: refused },
      { measure: 'distinct stored (with the warm-up)', value: stored },
      // A callback sent twice whose first copy was acknowledged and not stored is stored by its second:
      // `lost` cannot see it, but it is then one duplicate short.
      { measure: 'duplicates acknowledged, not stored (of those sent twice)', value: `${duplicates} (${sends.length - unique})` },
      { measure: 'lost (distinct sent - distinct task ids stored; duplicates short)', value: `${distinct - kept}; ${sends.length - unique - duplicates}` },
      { measure: 'applied', value: applied },
      { measure: 'applied twice (applies the apply jobs counted - stored)', value: timesApplied - stored },
    ]);
  } finally {
    bare.child.kill('SIGTERM');
    await bench.close();
  }
}

runBenchmark(main);
