/**
 * `npm run test:chaos`: Fleetgate under faults, as it ships. A gateway and two workers (the built
 * apps, as processes) against PostgreSQL, a Redis of this run's own, and the four simulators answering
 * with latency, timeouts, 5xx, vendor errors, 429 and malformed JSON for CHAOS_SECONDS. Meanwhile a
 * worker is killed with SIGKILL mid-dispatch, Redis is restarted without its data (and the workers
 * with it, as the runbook says), and PostgreSQL is restarted. Then the faults stop and it waits for
 * every task to end. It prints the counts and fails when an accepted task did not reach a final state,
 * a non-repeatable command reached a device twice, or a callback was lost or applied twice.
 *
 * Not part of CI (it restarts the machine's PostgreSQL); run it before each release.
 * CHAOS_SECONDS (default 60), CHAOS_FLEET (200 devices per vendor), CHAOS_CALLBACKS (3000),
 * CHAOS_PG_RESTART ("pg_ctlcluster --skip-systemctl-redirect <version> main restart"; "off" to skip).
 */
import 'reflect-metadata';
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadConfig } from '@fleetgate/config';
import { migrateDatabase, PrismaService } from '@fleetgate/persistence';
import { DEMO_CREDENTIALS, SIMULATED_VENDORS, SimulatorServer, type VendorName } from '@fleetgate/simulators';
import { freePort, report, runBenchmark, until } from './bench/bench-harness';

const CHAOS_SECONDS = Number(process.env.CHAOS_SECONDS ?? 60);
const FLEET = Number(process.env.CHAOS_FLEET ?? 200);
const CALLBACKS = Number(process.env.CHAOS_CALLBACKS ?? 3_000);
const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];
const FAULTS = {
  latencyMs: 20,
  jitterMs: 200,
  errorRate: 0.1,
  hangRate: 0.02,
  malformedRate: 0.05,
  rpsCap: 40,
};

function pgRestartCommand(): string | undefined {
  const configured = process.env.CHAOS_PG_RESTART;
  if (configured === 'off') return undefined;
  if (configured) return configured;
  const [version] = readdirSync('/etc/postgresql');
  return `pg_ctlcluster --skip-systemctl-redirect ${version} main restart`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const redisPort = await freePort();
  const gatewayPort = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: process.env.CHAOS_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fleetgate_chaos',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_PREFIX: 'fg-chaos',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ALLOW_INTERNAL_URLS: 'true',
    WEBHOOK_REQUESTS_PER_IP_PER_MINUTE: '100000000',
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_HOST: '127.0.0.1',
    MIGRATE_ON_START: 'false',
    WORKER_METRICS_PORT: '0',
    WORKER_LOCK_DURATION_MS: '5000',
  };
  const config = loadConfig(env);
  const prisma = new PrismaService(config);
  const children = new Set<ChildProcess>();
  const start = (args: string[]) => {
    const child = spawn(args[0], args.slice(1), { env, stdio: 'ignore' });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };
  // A Redis of this run's own, without persistence: restarting it loses every queue.
  const startRedis = () =>
    start(['redis-server', '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const startWorker = () => start([process.execPath, 'dist/apps/worker/src/main.js']);
  const stop = async (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const sims = {} as Record<VendorName, { server: SimulatorServer; url: string }>;
  let redis = startRedis();
  try {
    await sleep(500);
    await migrateDatabase(config.DATABASE_URL);
    for (const vendor of Object.keys(SIMULATED_VENDORS) as VendorName[]) {
      const server = new SimulatorServer(SIMULATED_VENDORS[vendor].factory, {
        fleetSize: FLEET,
        timeScale: 0,
        seed: 7,
      });
      sims[vendor] = { server, url: await server.listen(0) };
    }
    const gateway = start([process.execPath, 'dist/apps/gateway/src/main.js']);
    let workers = [startWorker(), startWorker()];
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    await until(
      () =>
        fetch(`${gatewayUrl}/health/live`).then(
          (r) => r.ok,
          () => false,
        ),
      (up) => up,
      60_000,
    );

    let token = '';
    const api = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${gatewayUrl}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    };
    token = (
      await api<{ accessToken: string }>('POST', '/auth/login', {
        email: config.ADMIN_EMAIL,
        password: config.ADMIN_PASSWORD,
      })
    ).body.accessToken;
    const accounts = {} as Record<VendorName, { id: string; webhookSecret: string; webhookPath: string }>;
    for (const vendor of ['armcloud', 'gizwits', 'tikmatrix'] as VendorName[]) {
      const created = await api<{ id: string; webhookSecret: string; webhookPath: string }>(
        'POST',
        '/vendor-accounts',
        {
          vendor,
          name: `chaos-${vendor}-${Date.now()}`,
          baseUrl: sims[vendor].url,
          credentials: DEMO_CREDENTIALS[vendor],
          rateLimitPerSecond: 20,
        },
      );
      accounts[vendor] = created.body;
    }
    const serials = Array.from({ length: FLEET }, (_, i) => `TMX${String(i + 1).padStart(6, '0')}`);
    await prisma.device.createMany({
      data: serials.map((serial) => ({
        vendor: 'tikmatrix',
        accountId: accounts.tikmatrix.id,
        vendorRef: serial,
        name: serial,
      })),
    });
    for (const vendor of ['armcloud', 'gizwits'] as const) {
      await api('POST', '/devices/sync', { accountId: accounts[vendor].id });
      await until(
        () => prisma.device.count({ where: { accountId: accounts[vendor].id } }),
        (count) => count >= FLEET,
        120_000,
      );
    }

    // Faults on, then the work: three tasks paced so that dispatch spans the chaos, and callbacks.
    for (const { server } of Object.values(sims)) server.setFaults(FAULTS);
    const paced = {
      rollout: { targetsPerMinute: Math.max(60, Math.round((FLEET * 60) / Math.max(10, CHAOS_SECONDS / 2))) },
      targetTimeoutSeconds: 120,
    };
    const taskBodies = [
      {
        operation: { type: 'script.start', params: { script: 'login' } },
        targets: { accountId: accounts.tikmatrix.id },
        ...paced,
      },
      { operation: { type: 'device.reboot', params: {} }, targets: { accountId: accounts.armcloud.id }, ...paced },
      {
        operation: { type: 'control.datapoints', params: { attrs: { switch: true } } },
        targets: { accountId: accounts.gizwits.id },
        ...paced,
      },
    ];
    const taskIds: string[] = [];
    for (const body of taskBodies) {
      const created = await api<{ id: string }>('POST', '/tasks', body);
      if (created.status !== 202) throw new Error(`task not accepted: ${JSON.stringify(created.body)}`);
      taskIds.push(created.body.id);
    }

    const unique = Math.round(CALLBACKS / 1.1);
    const bodies = Array.from({ length: unique }, (_, i) =>
      JSON.stringify({ taskBusinessType: 1000, padCode: `AC${i % FLEET}`, taskId: 9_000_000 + i, taskStatus: 3 }),
    );
    const sends = [...bodies, ...bodies.slice(0, CALLBACKS - unique)];
    let duplicates = 0;
    let next = 0;
    const callbacks = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < sends.length) {
          const body = sends[next++];
          // A vendor retries a callback until it is acknowledged; so does this sender, through every outage.
          for (;;) {
            const answer = await fetch(`${gatewayUrl}${accounts.armcloud.webhookPath}`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'x-fleetgate-webhook-secret': accounts.armcloud.webhookSecret,
              },
              body,
            }).then(
              async (response) =>
                response.status === 200 ? ((await response.json()) as { duplicate: boolean }) : undefined,
              () => undefined,
            );
            if (answer) {
              if (answer.duplicate) duplicates++;
              break;
            }
            await sleep(200);
          }
          await sleep(CHAOS_SECONDS * 4); // spread over about the chaos window
        }
      }),
    );

    const timeline: string[] = [];
    const mark = (what: string) => timeline.push(`${new Date().toISOString().slice(11, 19)} ${what}`);
    await until(
      () => prisma.taskTarget.count({ where: { taskId: { in: taskIds }, status: 'dispatching' } }),
      (n) => n > 0,
      60_000,
    );
    await stop(workers[0], 'SIGKILL');
    mark('worker killed (SIGKILL) mid-dispatch');
    workers = [workers[1], startWorker()];
    await sleep((CHAOS_SECONDS * 1000) / 4);
    await stop(redis, 'SIGKILL');
    redis = startRedis();
    mark('Redis restarted without its data');
    await Promise.all(workers.map((worker) => stop(worker)));
    workers = [startWorker(), startWorker()];
    mark('workers restarted');
    await sleep((CHAOS_SECONDS * 1000) / 4);
    const pgRestart = pgRestartCommand();
    if (pgRestart) {
      execSync(pgRestart, { stdio: 'ignore' });
      mark('PostgreSQL restarted');
    }
    await sleep((CHAOS_SECONDS * 1000) / 2);
    for (const { server } of Object.values(sims))
      server.setFaults({ latencyMs: 0, jitterMs: 0, errorRate: 0, hangRate: 0, malformedRate: 0, rpsCap: 0 });
    mark('faults off');
    await callbacks;

    const tasks = await until(
      () => prisma.task.findMany({ where: { id: { in: taskIds } } }),
      (rows) => rows.every((row) => FINAL.includes(row.status)),
      600_000,
    ).catch(() => prisma.task.findMany({ where: { id: { in: taskIds } } }));
    await until(
      () => prisma.callbackInbox.count({ where: { accountId: accounts.armcloud.id, appliedAt: null } }),
      (n) => n === 0,
      300_000,
    ).catch(() => undefined);

    const targets = await prisma.taskTarget.groupBy({
      by: ['status'],
      where: { taskId: { in: taskIds } },
      _count: { _all: true },
    });
    const perSerial = new Map<string, number>();
    for (let page = 1; ; page++) {
      const answer = (await (await fetch(`${sims.tikmatrix.url}/api/v1/task?page=${page}&page_size=100`)).json()) as {
        data: { tasks: Array<{ serial: string }>; total: number };
      };
      for (const vendorTask of answer.data.tasks)
        perSerial.set(vendorTask.serial, (perSerial.get(vendorTask.serial) ?? 0) + 1);
      if (page * 100 >= answer.data.total) break;
    }
    const sentTwice = [...perSerial.values()].filter((count) => count > 1).length;
    const stored = await prisma.callbackInbox.count({ where: { accountId: accounts.armcloud.id } });
    const applied = await prisma.callbackInbox.count({
      where: { accountId: accounts.armcloud.id, appliedAt: { not: null } },
    });
    const unfinished = tasks.filter((task) => !FINAL.includes(task.status)).length;

    console.log(timeline.join('\n'));
    const rows = [
      { what: 'tasks accepted', count: taskIds.length },
      { what: 'tasks not in a final state', count: unfinished },
      ...targets.map((row) => ({ what: `targets ${row.status}`, count: row._count._all })),
      { what: 'TikMatrix devices that got script.start twice', count: sentTwice },
      { what: 'callbacks sent (distinct)', count: unique },
      { what: 'callbacks acknowledged as duplicates', count: duplicates },
      { what: 'callbacks stored', count: stored },
      { what: 'callbacks applied', count: applied },
      { what: 'callbacks lost', count: unique - stored },
      { what: 'callbacks stored twice', count: Math.max(0, stored - unique) },
    ];
    await report('chaos', rows);
    await Promise.all([gateway, ...workers].map((child) => stop(child)));
    if (unfinished > 0 || sentTwice > 0 || stored !== unique || applied !== stored) {
      throw new Error('chaos run broke a guarantee (see the counts above)');
    }
  } finally {
    await prisma.$disconnect().catch(() => undefined);
    for (const child of children) child.kill('SIGKILL');
    for (const { server } of Object.values(sims)) await server.close();
  }
}

runBenchmark(main);
