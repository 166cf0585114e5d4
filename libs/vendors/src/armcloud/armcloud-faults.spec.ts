import { createArmcloudSimulator, SimulatorServer } from '@fleetgate/simulators';
import { InProcessRateLimiter } from '../core/rate-limiter';
import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError } from '../core/vendor-error';
import { VendorTransport, type VendorTransportOptions } from '../core/vendor-transport';
import { ArmcloudAdapter } from './armcloud-adapter';
import { ArmcloudClient } from './armcloud-client';

const CREDENTIALS = { accessKeyId: 'AKFLEETGATEDEMO0001', secretAccessKey: 'fleetgate-armcloud-demo-secret' };
const PAD = 'AC22030010001';

describe('ArmCloud faults through the transport', () => {
  let sim: SimulatorServer;
  let baseUrl: string;

  beforeEach(async () => {
    sim = new SimulatorServer(createArmcloudSimulator, { fleetSize: 20, timeScale: 0 });
    baseUrl = await sim.listen(0);
  });

  afterEach(async () => {
    await sim.close();
  });

  /** A client whose fetch counts the requests that reach the network, by path. */
  function countingClient(options: Partial<VendorTransportOptions> = {}, afterAttempt?: (attempt: number) => void) {
    const attempts: string[] = [];
    const fetchImpl: typeof fetch = async (input, init) => {
      attempts.push(new URL(String(input)).pathname);
      const response = await fetch(input, init);
      afterAttempt?.(attempts.length);
      return response;
    };
    const account: VendorAccountConfig = {
      id: 'acct-faults',
      vendor: 'armcloud',
      baseUrl,
      credentials: CREDENTIALS,
      rateLimitPerSecond: 1000,
      // Long enough that a loaded CI machine never times out a healthy answer; the hang test waits it out.
      timeoutMs: 1500,
    };
    const transport = new VendorTransport({
      account,
      rateLimiter: new InProcessRateLimiter(),
      fetchImpl,
      maxAttempts: 3,
      breakerThreshold: 50,
      breakerHalfOpenAfterMs: 600_000,
      ...options,
    });
    const client = new ArmcloudClient(account, transport);
    return { client, adapter: new ArmcloudAdapter(client), transport, attempts };
  }

  async function failure(promise: Promise<unknown>): Promise<VendorError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(VendorError);
    return error as VendorError;
  }

  it('a hanging request times out', async () => {
    const { client, attempts } = countingClient({ maxAttempts: 1 });
    sim.setFaults({ hangRate: 1 });
    const error = await failure(client.padDetails({ page: 1, rows: 1 }));
    expect(error.kind).toBe('timeout');
    expect(attempts).toHaveLength(1);
  });

  it('retries a read on HTTP 5xx, then reports unavailable with the status', async () => {
    const { adapter, attempts } = countingClient();
    sim.setFaults({ errorRate: 1, errorMode: 'http', httpErrorStatus: 503 });
    const error = await failure(adapter.getDevice(PAD));
    expect(error).toMatchObject({ kind: 'unavailable', vendorCode: '503' });
    expect(attempts).toEqual([
      '/openapi/open/pad/padDetails',
      '/openapi/open/pad/padDetails',
      '/openapi/open/pad/padDetails',
    ]);
  });

  it('a read that fails once with 5xx succeeds on the retry', async () => {
    // The fault is cleared as soon as the first attempt has been refused.
    const { client, attempts } = countingClient({}, (attempt) => attempt === 1 && sim.setFaults({ errorRate: 0 }));
    sim.setFaults({ errorRate: 1, errorMode: 'http' });
    const page = await client.padDetails({ page: 1, rows: 1, padCodes: [PAD] });
    expect(page.pageData[0].padCode).toBe(PAD);
    expect(attempts).toHaveLength(2);
  });

  it('never sends a reboot twice on 5xx: the pad fails with the status', async () => {
    const { adapter, attempts } = countingClient();
    sim.setFaults({ errorRate: 1, errorMode: 'http', httpErrorStatus: 502 });
    const [outcome] = await adapter.dispatch({ type: 'device.reboot', params: {} }, [PAD]);
    expect(outcome).toMatchObject({ vendorRef: PAD, status: 'failed', error: { code: '502' } });
    expect(attempts).toEqual(['/openapi/open/pad/restart']);
  });

  it('retries a read on malformed JSON, but not a shell command', async () => {
    const { client, adapter, attempts } = countingClient();
    sim.setFaults({ malformedRate: 1 });
    const error = await failure(client.padTaskDetail({ taskIds: [1] }));
    expect(error).toMatchObject({ kind: 'unavailable', vendorCode: 'malformed_json' });
    expect(attempts).toHaveLength(3);

    attempts.length = 0;
    const [outcome] = await adapter.dispatch({ type: 'shell.async', params: { command: 'ls' } }, [PAD]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'malformed_json' } });
    expect(attempts).toEqual(['/openapi/open/pad/asyncCmd']);
  });

  it('maps HTTP 429 to rate_limited with the Retry-After delay', async () => {
    const { client } = countingClient({ maxAttempts: 1 });
    sim.setFaults({ rpsCap: 1 });
    let error: VendorError | undefined;
    for (let call = 0; call < 5 && !error; call++) {
      error = await client.restartPads({ padCodes: [PAD] }).then(
        () => undefined,
        (caught: VendorError) => caught,
      );
    }
    expect(error).toMatchObject({ kind: 'rate_limited', vendorCode: '429' });
    expect(error!.retryAfterMs).toBeGreaterThan(0);
  });

  it('a dispatch refused with 429 before anything ran is thrown, so the whole operation can be retried', async () => {
    const { adapter } = countingClient({ maxAttempts: 1 });
    sim.setFaults({ rpsCap: 1 });
    let thrown: unknown;
    for (let call = 0; call < 5 && !thrown; call++) {
      thrown = await adapter.dispatch({ type: 'device.reboot', params: {} }, [PAD]).then(
        () => undefined,
        (caught: unknown) => caught,
      );
    }
    expect(thrown).toMatchObject({ kind: 'rate_limited' });
  });

  it('opens the circuit after consecutive failures, then fails fast without calling', async () => {
    const { client, transport, attempts } = countingClient({ breakerThreshold: 3 });
    sim.setFaults({ errorRate: 1, errorMode: 'http' });
    for (let call = 0; call < 3; call++) {
      await failure(client.restartPads({ padCodes: [PAD] }));
    }
    expect(transport.circuitState).toBe('open');
    const sent = attempts.length;
    sim.setFaults({ errorRate: 0 });
    const error = await failure(client.padDetails({ page: 1, rows: 1 }));
    expect(error).toMatchObject({ kind: 'unavailable', vendorCode: 'circuit_open' });
    expect(attempts).toHaveLength(sent);
  });

  it('a permanent error (unknown pad) is not retried, even for a read, and leaves the circuit closed', async () => {
    const { client, transport, attempts } = countingClient();
    const error = await failure(client.padProperties({ padCode: 'AC99999999999' }));
    expect(error).toMatchObject({ kind: 'not_found', vendorCode: '110028' });
    expect(attempts).toHaveLength(1);

    attempts.length = 0;
    const reboot = await failure(client.restartPads({ padCodes: ['AC99999999999'] }));
    expect(reboot).toMatchObject({ kind: 'not_found', vendorCode: '110028' });
    expect(attempts).toHaveLength(1);
    expect(transport.circuitState).toBe('closed');
  });

  it('a bad secret is unauthorized (100004) and a dispatch refused for it is thrown', async () => {
    const account: VendorAccountConfig = {
      id: 'acct-bad',
      vendor: 'armcloud',
      baseUrl,
      credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' },
      rateLimitPerSecond: 1000,
      timeoutMs: 300,
    };
    const adapter = new ArmcloudAdapter(
      new ArmcloudClient(account, new VendorTransport({ account, rateLimiter: new InProcessRateLimiter() })),
    );
    await expect(adapter.testConnection()).rejects.toMatchObject({ kind: 'unauthorized', vendorCode: '100004' });
    await expect(adapter.dispatch({ type: 'device.reboot', params: {} }, [PAD])).rejects.toMatchObject({
      kind: 'unauthorized',
    });
  });

  it('a vendor-side failure envelope fails the pads of the request with the vendor code', async () => {
    const { adapter } = countingClient();
    sim.setFaults({ errorRate: 1, errorMode: 'vendor' });
    const outcomes = await adapter.dispatch({ type: 'device.reboot', params: {} }, [PAD, 'AC22030010002']);
    for (const outcome of outcomes) {
      expect(outcome.status === 'failed' || outcome.status === 'timed_out').toBe(true);
      expect(['110039', '100010', '110012']).toContain(outcome.error?.code);
    }
  });
});
