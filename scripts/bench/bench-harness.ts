/**
 * What every benchmark needs: the four simulators, the real gateway and worker (in this process, as
 * the e2e tests boot them) against PostgreSQL and Redis, an admin token, and one account per vendor.
 * Benchmarks print ratios and rates measured side by side in one run; absolute times are noisy here.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@fleetgate/config';
import { migrateDatabase, PrismaService } from '@fleetgate/persistence';
import { JOB_QUEUE, type JobName } from '@fleetgate/queues';
import { RedisConnections } from '@fleetgate/redis';
import { Queue } from 'bullmq';
import { createGateway } from '../../apps/gateway/src/create-gateway';
import { DEMO_CREDENTIALS, SIMULATED_VENDORS, SimulatorServer, type VendorName } from '@fleetgate/simulators';
import { WorkerModule } from '../../apps/worker/src/worker.module';

export interface BenchEnvironment {
  gatewayUrl: string;
  /** Every gateway process's URL (`gateways`); the first is gatewayUrl. */
  gatewayUrls: string[];
  token: string;
  sims: Record<VendorName, { server: SimulatorServer; url: string }>;
  accounts: Record<VendorName, { id: string; webhookSecret: string }>;
  /** A database client of the benchmark's own, for counting what the gateway and worker wrote. */
  prisma: PrismaService;
  api<T>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  /** What the completed jobs of one name answered (kept a day, QUEUE_DEFAULT_JOB_OPTIONS), in no order. */
  completedJobResults<T>(name: JobName): Promise<T[]>;
  /** The gateway and worker processes (`processes: true` only); `gateways` holds every gateway process. */
  processes: { gateway?: ChildProcess; gateways?: ChildProcess[]; worker?: ChildProcess };
  close(): Promise<void>;
}

/** The database every benchmark's processes and bare twins use. */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fleetgate_bench';

/** Starts the bare twin of the request path (`bare-server.ts`) as a process of its own; it listens on a free port. */
export async function startBareServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['dist/scripts/bench/bare-server.js'], {
    env: { ...process.env, DATABASE_URL: BENCH_DATABASE_URL },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** VmHWM (the peak) or VmRSS (now) of a process, from /proc (Linux). */
export function memoryOf(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): string {
  const kb = pid ? new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] : undefined;
  return kb ? `${Math.round(Number(kb) / 1024)} MiB` : 'unknown';
}

/** Other work on the machine skews every figure; each run says how loaded the machine was. */
export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}

/** CPU seconds (user and system) a process has used so far, from /proc (Linux). */
export function cpuSecondsOfPid(pid: number | string): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export function cpuSecondsOf(child: ChildProcess | undefined): number | undefined {
  return child?.pid ? cpuSecondsOfPid(child.pid) : undefined;
}

/** CPU seconds used so far by each process of one program (`postgres`, `redis-server`) on this machine, by pid. */
export function cpuSecondsByPidOfProgram(name: string): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name) used.set(Number(pid), cpuSecondsOfPid(pid) ?? 0);
    } catch {
      // The process ended while we looked.
    }
  }
  return used;
}

/** CPU seconds used so far by every process of one program on this machine. */
export function cpuSecondsOfProgram(name: string): number {
  return [...cpuSecondsByPidOfProgram(name).values()].reduce((sum, seconds) => sum + seconds, 0);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `processes: true` runs the built gateway and worker as processes of their own, as they ship, so
 * that the load generator here does not share their event loop; otherwise they run in this process.
 */
export async function startBench(options: {
  fleetSize: number;
  withWorker?: boolean;
  processes?: boolean;
  /** Gateway processes, each on a port of its own (`processes: true` only; 1 unless told). */
  gateways?: number;
  timeScale?: number;
  rateLimitPerSecond?: number;
}): Promise<BenchEnvironment> {
  const env = {
    ...process.env,
    DATABASE_URL: BENCH_DATABASE_URL,
    // A prefix per run: a second run in one process must not find the first one's queues gone and
    // take it for a Redis that lost its data.
    REDIS_PREFIX: `fg-bench-${process.pid}-${Date.now()}`,
    // BENCH_LOG=<level> lets the gateway and worker log to this terminal, to see why a run stalls;
    // BENCH_LOG_LEVEL=<level> has them log as in production (info) but into /dev/null, to measure what logging costs.
    LOG_LEVEL: process.env.BENCH_LOG ?? process.env.BENCH_LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
    // The simulators listen on loopback.
    ALLOW_INTERNAL_URLS: 'true',
    // Every callback comes from this machine's one address.
    WEBHOOK_REQUESTS_PER_IP_PER_MINUTE: '100000000',
  };
  const config = loadConfig(env);
  await migrateDatabase(config.DATABASE_URL);
  const prisma = new PrismaService(config);
  // Earlier runs' accounts point at simulators that are gone; left in place, the worker would poll,
  // sweep and sync them beside this run. Deleting them takes their devices, targets and callbacks along.
  await prisma.vendorAccount.deleteMany({ where: { name: { startsWith: 'bench-' } } });
  const sims = {} as BenchEnvironment['sims'];
  for (const vendor of Object.keys(SIMULATED_VENDORS) as VendorName[]) {
    const server = new SimulatorServer(SIMULATED_VENDORS[vendor].factory, {
      fleetSize: options.fleetSize,
      timeScale: options.timeScale ?? 0,
      seed: 1,
    });
    sims[vendor] = { server, url: await server.listen(0) };
  }
  let gatewayUrls: string[];
  let gateway: NestFastifyApplication | undefined;
  let worker: INestApplicationContext | undefined;
  const processes: BenchEnvironment['processes'] = {};
  if (options.processes) {
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each process there when the benchmark ends.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const start = (main: string, extraEnv: Record<string, string> = {}) =>
      spawn(process.execPath, [...profile, main], {
        env: { ...env, MIGRATE_ON_START: 'false', WORKER_METRICS_PORT: '0', ...extraEnv },
        stdio: process.env.BENCH_LOG ? 'inherit' : 'ignore',
      });
    processes.gateways = [];
    gatewayUrls = [];
    for (let index = 0; index < (options.gateways ?? 1); index++) {
      const port = await freePort();
      processes.gateways.push(
        // PGAPPNAME names each process's connections in pg_stat_activity, so that a benchmark can tell
        // what PostgreSQL spent for the gateway from what it spent for the worker.
        start('dist/apps/gateway/src/main.js', { GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', PGAPPNAME: 'fleetgate-gateway' }),
      );
      gatewayUrls.push(`http://127.0.0.1:${port}`);
    }
    processes.gateway = processes.gateways[0];
    if (options.withWorker) processes.worker = start('dist/apps/worker/src/main.js', { PGAPPNAME: 'fleetgate-worker' });
    for (const url of gatewayUrls) {
      await until(
        () =>
          fetch(`${url}/health/live`).then(
            (response) => response.ok,
            () => false,
          ),
        (up) => up,
        60_000,
      );
    }
  } else {
    gateway = await createGateway(config);
    await gateway.listen({ port: 0, host: '127.0.0.1' });
    gatewayUrls = [`http://127.0.0.1:${(gateway.getHttpServer().address() as { port: number }).port}`];
    worker = options.withWorker
      ? await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false })
      : undefined;
    await worker?.init();
  }
  // Earlier runs left dead rows behind, and a PostgreSQL run with autovacuum off (as this machine's
  // is) never clears them; vacuumed, every run starts from what autovacuum keeps in production.
  await prisma.$executeRawUnsafe('VACUUM (ANALYZE) callback_inbox, outbox_jobs, task_targets, tasks, devices');

  let token = '';
  const api: BenchEnvironment['api'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${gatewayUrls[0]}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as never };
  };
  const login = await api<{ accessToken: string }>('POST', '/auth/login', {
    email: config.ADMIN_EMAIL,
    password: config.ADMIN_PASSWORD,
  });
  token = login.body.accessToken;
  const accounts = {} as BenchEnvironment['accounts'];
  for (const vendor of Object.keys(SIMULATED_VENDORS) as VendorName[]) {
    const created = await api<{ id: string; webhookSecret: string }>('POST', '/vendor-accounts', {
      vendor,
      name: `bench-${vendor}-${Date.now()}`,
      baseUrl: sims[vendor].url,
      credentials: DEMO_CREDENTIALS[vendor],
      rateLimitPerSecond: options.rateLimitPerSecond ?? 50,
    });
    if (created.status !== 201) throw new Error(`account ${vendor}: ${JSON.stringify(created.body)}`);
    accounts[vendor] = created.body;
  }
  return {
    gatewayUrl: gatewayUrls[0],
    gatewayUrls,
    token,
    sims,
    accounts,
    prisma,
    api,
    processes,
    async completedJobResults<T>(name: JobName): Promise<T[]> {
      const redis = new RedisConnections(config);
      const queue = new Queue(JOB_QUEUE[name], { connection: redis.queueConnection(), prefix: redis.queuePrefix(JOB_QUEUE[name]) });
      try {
        const jobs = await queue.getJobs(['completed']);
        return jobs.filter((job) => job?.name === name).map((job) => job.returnvalue as T);
      } finally {
        await queue.close();
        await redis.onModuleDestroy();
      }
    },
    async close() {
      await Promise.all(
        [...(processes.gateways ?? []), ...(processes.worker ? [processes.worker] : [])].map(async (child) => {
          if (child.exitCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          // A process still draining after 10 s is killed: a benchmark must not hang on its shutdown.
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }),
      );
      await worker?.close();
      await gateway?.close();
      await prisma.$disconnect();
      // The run's queues go with it: each run has a prefix of its own, and Redis here keeps nothing on disk.
      const redis = new RedisConnections(config);
      // UNLINK a key a command (on a cluster the keys are in many slots), a thousand in flight.
      const keys = await redis.keysOfInstall();
      for (let start = 0; start < keys.length; start += 1_000) {
        await Promise.all(keys.slice(start, start + 1_000).map((key) => redis.commands.unlink(key)));
      }
      await redis.onModuleDestroy();
      for (const sim of Object.values(sims)) await sim.server.close();
    },
  };
}

/** Reads until `done`; every read is load on the machine being measured, so large waits read less often. */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 600_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error('benchmark step did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Prints the rows and saves them to bench/results/<name>.json. */
export async function report(name: string, rows: Array<Record<string, string | number>>): Promise<void> {
  console.log(`\n${name}`);
  console.table(rows);
  const dir = join(process.cwd(), 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`);
}

/** Runs a benchmark's main and exits with its outcome (open handles of the apps must not keep it alive). */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
