/**
 * The request path against what the machine can do: each Fleetgate path beside its bare twin (the same
 * query or write through plain Fastify and pg, `bare-server.ts`), loaded by one generator (autocannon)
 * with the same connections, in one run. It prints throughput, p50 and p99 per path, each path's ratio
 * to its twin, the CPU each server spent per request (and their ratio, steadier than throughput when
 * other work shares the cores), a one-connection pass that gives Fleetgate's per-request overhead in
 * milliseconds, the gateway's resident memory, and the load average.
 *
 * The gateway and the bare server each run as a process of their own; the worker does not run, so the
 * figures are the request path alone (bench:callbacks and bench:fanout measure what the worker does after).
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import {
  cpuSecondsOf,
  loadAverage,
  memoryOf,
  report,
  runBenchmark,
  startBareServer,
  startBench,
  until,
} from './bench-harness';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// Each side of a path is loaded this long, unmeasured, before its measured run: the first path measured
// would otherwise pay for the JIT compiling the gateway's request path, and the later ones not.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
// Slices each side of a path is measured in, taking turns with its twin (BENCH_SECONDS in all).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
// BENCH_ONLY=b runs only the named paths (with BENCH_CPU_PROF, a profile of one path's load).
const ONLY = process.env.BENCH_ONLY?.split(',');

interface Load {
  method?: 'GET' | 'POST';
  /** How long to load; BENCH_SECONDS unless told. */
  seconds?: number;
  headers?: Record<string, string>;
  /** A fresh body per request (callbacks must not repeat, or they are acknowledged as duplicates). */
  body?: () => unknown;
}

interface Measured {
  /** Requests answered in the run (autocannon runs on to its next whole second past the duration). */
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

async function load(url: string, connections: number, options: Load = {}): Promise<Measured> {
  const headers = { ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers };
  const makeBody = options.body;
  const result = await autocannon({
    url,
    connections,
    duration: options.seconds ?? SECONDS,
    method: options.method ?? 'GET',
    headers,
    requests: makeBody ? [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(makeBody()) }) }] : undefined,
  });
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}


type Run = (options?: { seconds?: number }) => Promise<Measured>;

/** One side's figures over all its slices: the mean rate, the median p50 and the worst p99. */
interface Totals extends Measured {
  cpuMsPerRequest: number;
}

/**
 * Loads the twin and Fleetgate in turns, ROUNDS slices of BENCH_SECONDS / ROUNDS each, and sums each
 * side over its slices.
 */
async function sideBySide(
  twin: { run: Run; cpu: () => number },
  fleetgate: { run: Run; cpu: () => number },
): Promise<{ twin: Totals; fleetgate: Totals }> {
  const seconds = SECONDS / ROUNDS;
  const slices = { twin: [] as Measured[], fleetgate: [] as Measured[] };
  const cpuSeconds = { twin: 0, fleetgate: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of ['twin', 'fleetgate'] as const) {
      const { run, cpu } = side === 'twin' ? twin : fleetgate;
      const before = cpu();
      slices[side].push(await run({ seconds }));
      cpuSeconds[side] += cpu() - before;
    }
  }
  const totals = (side: 'twin' | 'fleetgate'): Totals => {
    const measured = slices[side];
    const rps = measured.reduce((sum, slice) => sum + slice.rps, 0) / measured.length;
    const p50s = measured.map((slice) => slice.p50).sort((a, b) => a - b);
    const requests = measured.reduce((sum, slice) => sum + slice.requests, 0);
    return {
      requests,
      rps: Math.round(rps),
      p50: p50s[Math.floor(p50s.length / 2)],
      p99: Math.max(...measured.map((slice) => slice.p99)),
      failed: measured.reduce((sum, slice) => sum + slice.failed, 0),
      cpuMsPerRequest: (cpuSeconds[side] * 1000) / requests,
    };
  };
  return { twin: totals('twin'), fleetgate: totals('fleetgate') };
}

async function main(): Promise<void> {
  const bench = await startBench({ fleetSize: 100, processes: true });
  const bare = await startBareServer();
  try {
    // Without the worker, the ArmCloud inventory is registered through the API rather than synced.
    const accountId = bench.accounts.armcloud.id;
    for (let i = 0; i < 60; i++) {
      const created = await bench.api('POST', '/devices', { accountId, vendorRef: `HOTPATH${i}`, name: `hotpath ${i}` });
      if (created.status !== 201) throw new Error(`POST /devices answered ${created.status}: ${JSON.stringify(created.body)}`);
    }
    const devices = await until(
      () => bench.api<{ items: Array<{ id: string }> }>('GET', `/devices?accountId=${accountId}&pageSize=1`),
      (page) => page.body.items.length === 1,
    );
    const deviceId = devices.body.items[0].id;
    const key = await bench.api<{ key: string }>('POST', '/api-keys', { name: `hotpath-${Date.now()}`, permissions: ['devices:read'] });
    if (key.status !== 201) throw new Error(`POST /api-keys answered ${key.status}: ${JSON.stringify(key.body)}`);
    const bearer = { authorization: `Bearer ${bench.token}` };
    const apiKey = { 'x-api-key': key.body.key };
    const callbackBody = () => ({ taskBusinessType: 1000, padCode: 'HOTPATH0', taskId: Math.floor(Math.random() * 2 ** 48), taskStatus: 3 });
    const taskBody = () => ({ operation: { type: 'device.reboot', params: {} }, targets: { deviceIds: [deviceId] } });
    const webhook = {
      'x-fleetgate-webhook-secret': bench.accounts.armcloud.webhookSecret,
      'x-request-id': randomUUID(),
    };

    const residentAfterStart = memoryOf(bench.processes.gateway?.pid, 'VmRSS');
    const loadAtStart = loadAverage();
    const gatewayCpu = () => cpuSecondsOf(bench.processes.gateway) ?? NaN;
    const bareCpu = () => cpuSecondsOf(bare.child) ?? NaN;
    const paths: Array<{ name: string; twin: string; fleetgate: Run; bare: Run }> = [
      {
        name: '(b) GET /devices/{id}, bearer token',
        twin: '(a) bare Fastify + pg, the same row',
        fleetgate: (options) => load(`${bench.gatewayUrl}/devices/${deviceId}`, CONNECTIONS, { headers: bearer, ...options }),
        bare: (options) => load(`${bare.url}/devices/${deviceId}`, CONNECTIONS, options),
      },
      {
        name: '(c) GET /devices/{id}, API key',
        twin: '(a) bare Fastify + pg, the same row',
        fleetgate: (options) => load(`${bench.gatewayUrl}/devices/${deviceId}`, CONNECTIONS, { headers: apiKey, ...options }),
        bare: (options) => load(`${bare.url}/devices/${deviceId}`, CONNECTIONS, options),
      },
      {
        name: '(d) GET /devices?pageSize=50',
        twin: 'bare 50-row page and count',
        fleetgate: (options) => load(`${bench.gatewayUrl}/devices?pageSize=50`, CONNECTIONS, { headers: bearer, ...options }),
        bare: (options) => load(`${bare.url}/devices`, CONNECTIONS, options),
      },
      {
        name: '(e) POST /tasks, one device',
        twin: 'bare insert of a task and its target',
        fleetgate: (options) => load(`${bench.gatewayUrl}/tasks`, CONNECTIONS, { method: 'POST', headers: bearer, body: taskBody, ...options }),
        bare: (options) => load(`${bare.url}/tasks`, CONNECTIONS, { method: 'POST', body: taskBody, ...options }),
      },
      {
        name: '(f) POST /webhooks/armcloud/{account}',
        twin: 'bare insert of the callback by its key',
        fleetgate: (options) => load(`${bench.gatewayUrl}/webhooks/armcloud/${accountId}`, CONNECTIONS, { method: 'POST', headers: webhook, body: callbackBody, ...options }),
        bare: (options) => load(`${bare.url}/callbacks`, CONNECTIONS, { method: 'POST', body: callbackBody, ...options }),
      },
    ];

    const rows: Array<Record<string, string | number>> = [];
    const chosen = (name: string) => !ONLY || ONLY.some((letter) => name.startsWith(`(${letter})`));
    for (const path of paths.filter((candidate) => chosen(candidate.name))) {
      if (WARMUP_SECONDS > 0) {
        await path.bare({ seconds: WARMUP_SECONDS });
        await path.fleetgate({ seconds: WARMUP_SECONDS });
      }
      // The twin and Fleetgate take turns, ROUNDS slices each, so that a slower spell of the shared
      // machine falls on both sides rather than on one: each side's figures are over all its slices.
      const { twin, fleetgate } = await sideBySide({ run: path.bare, cpu: bareCpu }, { run: path.fleetgate, cpu: gatewayCpu });
      const bareCpuMsPerRequest = twin.cpuMsPerRequest;
      const cpuMsPerRequest = fleetgate.cpuMsPerRequest;
      rows.push(
        {
          path: path.twin,
          connections: CONNECTIONS,
          rps: twin.rps,
          p50_ms: twin.p50,
          p99_ms: twin.p99,
          failed: twin.failed,
          ratio: 1,
          gateway_cpu_ms: '',
          bare_cpu_ms: Number(bareCpuMsPerRequest.toFixed(3)),
        },
        {
          path: path.name,
          connections: CONNECTIONS,
          rps: fleetgate.rps,
          p50_ms: fleetgate.p50,
          p99_ms: fleetgate.p99,
          failed: fleetgate.failed,
          ratio: Number((fleetgate.rps / twin.rps).toFixed(2)),
          gateway_cpu_ms: Number(cpuMsPerRequest.toFixed(3)),
          // The twin's CPU per request over the gateway's: what the throughput ratio tends to when
          // the two cores are contended (each server then gets the CPU it can, not what it needs).
          cpu_ratio: Number((bareCpuMsPerRequest / cpuMsPerRequest).toFixed(2)),
        },
      );
    }

    // One connection: what Fleetgate adds to a single request, in ms at p50.
    const single = async (name: string, fleetgate: Run, twin: Run) => {
      const { twin: bareOne, fleetgate: gatewayOne } = await sideBySide({ run: twin, cpu: bareCpu }, { run: fleetgate, cpu: gatewayCpu });
      rows.push({
        path: `one connection: ${name}`,
        connections: 1,
        rps: gatewayOne.rps,
        p50_ms: gatewayOne.p50,
        p99_ms: gatewayOne.p99,
        failed: gatewayOne.failed,
        ratio: Number((gatewayOne.rps / bareOne.rps).toFixed(2)),
        // At one connection each request waits for the one before, so 1000 / rps is the time one
        // takes (autocannon's percentiles are whole milliseconds).
        overhead_ms: Number((1000 / gatewayOne.rps - 1000 / bareOne.rps).toFixed(2)),
        bare_ms: Number((1000 / bareOne.rps).toFixed(2)),
      });
    };
    if (chosen('(b)')) await single('(b) bearer', (options) => load(`${bench.gatewayUrl}/devices/${deviceId}`, 1, { headers: bearer, ...options }), (options) => load(`${bare.url}/devices/${deviceId}`, 1, options));
    if (chosen('(c)')) await single('(c) API key', (options) => load(`${bench.gatewayUrl}/devices/${deviceId}`, 1, { headers: apiKey, ...options }), (options) => load(`${bare.url}/devices/${deviceId}`, 1, options));
    rows.push(
      { path: 'gateway resident memory before the load (VmRSS)', memory: residentAfterStart },
      { path: 'gateway peak resident memory (VmHWM)', memory: memoryOf(bench.processes.gateway?.pid, 'VmHWM') },
      { path: 'load average 1 / 5 / 15 min, at start', memory: loadAtStart },
      { path: 'load average 1 / 5 / 15 min, at end', memory: loadAverage() },
    );
    await report('bench-hotpath', rows);
  } finally {
    bare.child.kill('SIGTERM');
    await bench.close();
  }
}

runBenchmark(main);
