import { RedisConnections } from '@fleetgate/redis';
import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import { RedisRateLimiter, VendorTransport } from '@fleetgate/vendors';
import { testConfig } from './support/test-env';

/**
 * An account's rate limit as the vendor sees it: two processes' transports (each with its own Redis
 * connection, as the gateway and a worker have) share one account's limit, and the simulator that
 * receives their requests counts the most that arrived in any sliding one-second window.
 */
describe('account rate limit, counted by the receiving vendor', () => {
  const LIMIT = 5;
  let simulator: SimulatorServer;
  let baseUrl: string;
  const redis = new RedisConnections(testConfig());

  beforeAll(async () => {
    simulator = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 0, seed: 1 });
    baseUrl = await simulator.listen(0);
  });

  afterAll(async () => {
    await redis.onModuleDestroy();
    await simulator.close();
  });

  function transportOfProcess(prefix: string): VendorTransport {
    return new VendorTransport({
      account: {
        id: 'rate-limit-e2e',
        vendor: 'tikmatrix',
        baseUrl,
        credentials: {},
        rateLimitPerSecond: LIMIT,
        timeoutMs: 10_000,
      },
      rateLimiter: new RedisRateLimiter(redis.dedicated('rate-limit-e2e'), prefix),
    });
  }

  it('never lets more than the limit arrive in any one-second window, across two processes', async () => {
    const prefix = `fg-rate-e2e-${process.pid}-${Date.now()}`;
    const processes = [transportOfProcess(prefix), transportOfProcess(prefix)];
    const perProcess = 4 * LIMIT;
    // A burst: every request asked for at once, half through each process.
    await Promise.all(
      processes.flatMap((transport) =>
        Array.from({ length: perProcess }, () =>
          transport.send({ method: 'GET', path: '/api/v1/task/stats', idempotent: true }),
        ),
      ),
    );
    const counted = simulator.requestRates.snapshot().default;
    expect(counted.received).toBe(2 * perProcess);
    expect(counted.maxInAnySecond).toBeLessThanOrEqual(LIMIT);
  });
});
