/**
 * Vendor callbacks ingested per second through POST /webhooks/armcloud/{account}, a tenth of them
 * sent twice, then checked: every distinct callback stored and applied exactly once, every
 * duplicate acknowledged and not stored again. Its bare twin, in the same run and from the same load
 * generator first: plain Fastify and pg storing each callback by its key (`bare-server.ts`).
 */
import { Pool } from 'undici';
import {
  cpuSecondsOf,
  cpuSecondsOfPid,
  cpuSecondsOfProgram,
  report,
  runBenchmark,
  startBareServer,
  startBench,
  until,
} from './bench-harness';

const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 20_000);
// A vendor pushing callbacks for a large fleet keeps many requests open at once; BENCH_CONCURRENCY changes it.
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);
// Gateway processes behind the senders (a deployment runs one a core); the connections are shared
// among them, as a load balancer keeping connections alive would.
const GATEWAYS = Number(process.env.BENCH_GATEWAYS ?? 1);

/**
 * Sends every body from CONCURRENCY kept-alive connections, shared among the origins; counts the
 * duplicates acknowledged and the refusals.
 */
async function send(
  origins: string[],
  path: string,
  headers: Record<string, string>,
  sends: string[],
): Promise<{ duplicates: number; refused: number }> {
  // undici's own client, one kept-alive connection per sender: the load generator shares the two
  // cores with what it measures, and fetch() costs several times more CPU per request.
  const pools = origins.map((origin) => new Pool(origin, { connections: Math.ceil(CONCURRENCY / origins.length) }));
  let next = 0;
  let duplicates = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, sender) => {
      const pool = pools[sender % pools.length];
      while (next < sends.length) {
        const body = sends[next++];
        const response = await pool.request({
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
        const receipt = (await response.body.json()) as { duplicate?: boolean };
        if (response.statusCode !== 200) refused++;
        else if (receipt.duplicate) duplicates++;
      }
    }),
  );
  await Promise.all(pools.map((pool) => pool.close()));
  return { duplicates, refused };
}

/** Distinct callbacks from `firstTaskId` on, then a tenth of them again (a vendor retrying). */
function callbacksOf(firstTaskId: number): { sends: string[]; unique: number } {
  const unique = Math.round(CALLBACKS / 1.1);
  const bodies = Array.from({ length: unique }, (_, i) =>
    JSON.stringify({ taskBusinessType: 1000, padCode: `AC${i % 1000}`, taskId: firstTaskId + i, taskStatus: 3 }),
  );
  return { sends: [...bodies, ...bodies.slice(0, CALLBACKS - unique)], unique };
}

async function main(): Promise<void> {
  const bench = await startBench({ fleetSize: 10, withWorker: true, processes: true, gateways: GATEWAYS });
  const bare = await startBareServer();
  try {
    // The same callbacks to each: the twin first, then Fleetgate, back to back, so that both see the same machine.
    const { sends, unique } = callbacksOf(1_000_000);
    const bareCpuBefore = cpuSecondsOf(bare.child) ?? NaN;
    const twinStarted = performance.now();
    const twin = await send([bare.url], '/callbacks', {}, sends);
    const twinPerSecond = sends.length / ((performance.now() - twinStarted) / 1000);
    const bareCpuMs = (((cpuSecondsOf(bare.child) ?? NaN) - bareCpuBefore) * 1000) / sends.length;

    const account = bench.accounts.armcloud;
    const path = `/webhooks/armcloud/${account.id}`;
    // Where the two cores went while callbacks came in, in shares of one core. `postgres` counts every
    // PostgreSQL process of the machine (its WAL writer and checkpointer too, but also whatever other
    // databases do meanwhile); `ownBackends` only the connections to this run's database.
    const backendPids = async () =>
      (
        await bench.prisma.$queryRaw<Array<{ pid: number }>>`
          SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`
      ).map((row) => row.pid);
    const cpu = async () => {
      const own = new Map((await backendPids()).map((pid) => [pid, cpuSecondsOfPid(pid) ?? 0]));
      return {
        gateway: (bench.processes.gateways ?? []).reduce((sum, child) => sum + (cpuSecondsOf(child) ?? NaN), 0),
        worker: cpuSecondsOf(bench.processes.worker) ?? NaN,
        postgres: cpuSecondsOfProgram('postgres'),
        redis: cpuSecondsOfProgram('redis-server'),
        sender: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
        own,
      };
    };
    const cpuBefore = await cpu();
    const started = performance.now();
    const { duplicates, refused } = await send(bench.gatewayUrls, path, { 'x-fleetgate-webhook-secret': account.webhookSecret }, sends);
    const ingestSeconds = (performance.now() - started) / 1000;
    const cpuAfter = await cpu();
    // A connection opened during the ingest started from nothing; one closed during it is not counted.
    const ownBackends = [...cpuAfter.own].reduce((sum, [pid, seconds]) => sum + seconds - (cpuBefore.own.get(pid) ?? 0), 0);
    type Part = Exclude<keyof typeof cpuAfter, 'own'>;
    const used = (part: Part) => cpuAfter[part] - cpuBefore[part];
    const share = (part: Part) => Number((used(part) / ingestSeconds).toFixed(2));
    const msPerCallback = (seconds: number) => Number(((seconds * 1000) / sends.length).toFixed(3));
    const prisma = bench.prisma;
    const stored = await prisma.callbackInbox.count({ where: { accountId: account.id } });
    const applied = await until(
      () => prisma.callbackInbox.count({ where: { accountId: account.id, appliedAt: { not: null } } }),
      (count) => count >= stored,
    );
    const appliedSeconds = (performance.now() - started) / 1000;
    const events = await prisma.callbackInbox.aggregate({ where: { accountId: account.id }, _sum: { events: true } });
    await report('bench-callbacks', [
      { measure: 'callbacks sent', value: sends.length },
      { measure: 'gateway processes', value: GATEWAYS },
      { measure: 'bare twin: accepted per second', value: Math.round(twinPerSecond) },
      { measure: 'bare twin: CPU ms per callback (bare server)', value: Number(bareCpuMs.toFixed(3)) },
      { measure: 'bare twin: refused / duplicates acknowledged', value: `${twin.refused} / ${twin.duplicates}` },
      { measure: 'accepted per second (ingest)', value: Math.round(sends.length / ingestSeconds) },
      {
        measure: 'accepted per second, ratio to the bare twin',
        value: Number((sends.length / ingestSeconds / twinPerSecond).toFixed(2)),
      },
      { measure: 'applied per second (ingest to last applied)', value: Math.round(stored / appliedSeconds) },
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
      { measure: 'refused', value: refused },
      { measure: 'distinct stored', value: stored },
      { measure: 'duplicates acknowledged, not stored', value: duplicates },
      { measure: 'lost (distinct sent - stored)', value: unique - stored },
      { measure: 'applied', value: applied },
      { measure: 'applied twice (events applied - distinct)', value: (events._sum.events ?? 0) - stored },
    ]);
  } finally {
    bare.child.kill('SIGTERM');
    await bench.close();
  }
}

runBenchmark(main);
