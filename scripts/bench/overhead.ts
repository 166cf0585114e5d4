/**
 * The gateway's overhead on a device read: GET /devices/{id} through Fleetgate (auth, database)
 * against the same device read made straight to the ArmCloud simulator (a signed padDetails call),
 * alternated call by call so both see the same machine load.
 */
import { ArmcloudClient, InProcessRateLimiter, VendorTransport } from '@fleetgate/vendors';
import { DEMO_CREDENTIALS } from '@fleetgate/simulators';
import { percentile, report, startBench, until, runBenchmark } from './bench-harness';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000);

async function main(): Promise<void> {
  const bench = await startBench({ fleetSize: 100, withWorker: true });
  try {
    await bench.api('POST', '/devices/sync', { accountId: bench.accounts.armcloud.id });
    const devices = await until(
      () =>
        bench.api<{ items: Array<{ id: string; vendorRef: string }>; total: number }>(
          'GET',
          `/devices?accountId=${bench.accounts.armcloud.id}&pageSize=100`,
        ),
      (page) => page.body.items.length === 100,
    );
    const account = {
      id: 'direct',
      vendor: 'armcloud' as const,
      baseUrl: bench.sims.armcloud.url,
      credentials: DEMO_CREDENTIALS.armcloud,
      rateLimitPerSecond: 1_000_000,
      timeoutMs: 10_000,
    };
    const direct = new ArmcloudClient(
      account,
      new VendorTransport({ account, rateLimiter: new InProcessRateLimiter() }),
    );
    const viaGateway: number[] = [];
    const straight: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const device = devices.body.items[round % devices.body.items.length];
      let started = performance.now();
      const answer = await bench.api('GET', `/devices/${device.id}`);
      if (answer.status !== 200) throw new Error(`gateway answered ${answer.status}`);
      viaGateway.push(performance.now() - started);
      started = performance.now();
      await direct.padDetails({ page: 1, rows: 1, padCodes: [device.vendorRef] });
      straight.push(performance.now() - started);
    }
    viaGateway.sort((a, b) => a - b);
    straight.sort((a, b) => a - b);
    const row = (name: string, samples: number[]) => ({
      path: name,
      p50_ms: +percentile(samples, 50).toFixed(2),
      p95_ms: +percentile(samples, 95).toFixed(2),
      p99_ms: +percentile(samples, 99).toFixed(2),
    });
    await report('bench-overhead', [
      row('GET /devices/{id} via Fleetgate', viaGateway),
      row('padDetails straight to the simulator', straight),
      {
        path: 'ratio Fleetgate / direct',
        p50_ms: +(percentile(viaGateway, 50) / percentile(straight, 50)).toFixed(2),
        p95_ms: +(percentile(viaGateway, 95) / percentile(straight, 95)).toFixed(2),
        p99_ms: +(percentile(viaGateway, 99) / percentile(straight, 99)).toFixed(2),
      },
    ]);
  } finally {
    await bench.close();
  }
}

runBenchmark(main);
