import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundHttp } from '@fleetgate/platform';
import { InProcessRateLimiter } from './rate-limiter';
import type { VendorAccountConfig } from './vendor-account';
import { VendorError } from './vendor-error';
import { VendorTransport, type VendorResponse } from './vendor-transport';

const account: VendorAccountConfig = {
  id: 'acct-transport',
  vendor: 'armcloud',
  baseUrl: 'http://vendor.invalid',
  credentials: {},
  rateLimitPerSecond: 1000,
  timeoutMs: 5_000,
};

/** A vendor that answers HTTP 200 envelopes from a script, one per request, recording each call. */
function scriptedVendor(codes: number[]) {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = async (input) => {
    calls.push(String(input));
    const code = codes[Math.min(calls.length - 1, codes.length - 1)];
    return new Response(JSON.stringify({ code, msg: code === 200 ? 'ok' : `code ${code}`, data: calls.length }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetchImpl };
}

/** Reads the envelope the way a vendor client does: 110039 is "busy, try again", 110028 is permanent. */
function readEnvelope(response: VendorResponse): number {
  const { code, msg, data } = response.body as { code: number; msg: string; data: number };
  if (code === 110039) throw new VendorError('armcloud', 'unavailable', String(code), msg);
  if (code !== 200) throw new VendorError('armcloud', 'not_found', String(code), msg);
  return data;
}

function transportFor(fetchImpl: typeof fetch, breakerThreshold = 100) {
  return new VendorTransport({
    account,
    rateLimiter: new InProcessRateLimiter(),
    fetchImpl,
    maxAttempts: 3,
    breakerThreshold,
    breakerHalfOpenAfterMs: 60_000,
  });
}

describe('VendorTransport reading vendor envelopes', () => {
  it('retries a transient code inside an HTTP 200 envelope for an idempotent request', async () => {
    const vendor = scriptedVendor([110039, 200]);
    const transport = transportFor(vendor.fetchImpl);
    await expect(transport.send({ method: 'GET', path: '/read', idempotent: true }, readEnvelope)).resolves.toBe(2);
    expect(vendor.calls).toHaveLength(2);
  });

  it('does not resend a request that is not idempotent', async () => {
    const vendor = scriptedVendor([110039, 200]);
    const transport = transportFor(vendor.fetchImpl);
    await expect(
      transport.send({ method: 'POST', path: '/reboot', idempotent: false }, readEnvelope),
    ).rejects.toMatchObject({ kind: 'unavailable', vendorCode: '110039' });
    expect(vendor.calls).toHaveLength(1);
  });

  it('neither retries a permanent code nor counts it towards the circuit', async () => {
    const vendor = scriptedVendor([110028]);
    const transport = transportFor(vendor.fetchImpl, 2);
    for (let i = 0; i < 3; i++) {
      await expect(
        transport.send({ method: 'GET', path: '/read', idempotent: true }, readEnvelope),
      ).rejects.toMatchObject({ kind: 'not_found', vendorCode: '110028' });
    }
    expect(vendor.calls).toHaveLength(3);
    expect(transport.circuitState).toBe('closed');
  });

  it('opens the circuit on repeated transient codes', async () => {
    const vendor = scriptedVendor([110039]);
    const transport = transportFor(vendor.fetchImpl, 3);
    await expect(
      transport.send({ method: 'GET', path: '/read', idempotent: true }, readEnvelope),
    ).rejects.toMatchObject({ kind: 'unavailable' });
    expect(vendor.calls).toHaveLength(3);
    expect(transport.circuitState).toBe('open');
    await expect(
      transport.send({ method: 'GET', path: '/read', idempotent: true }, readEnvelope),
    ).rejects.toMatchObject({ vendorCode: 'circuit_open' });
    expect(vendor.calls).toHaveLength(3);
  });
});

describe('VendorTransport and Retry-After', () => {
  it('pauses the account’s shared rate limit for the Retry-After before the retry goes out', async () => {
    const events: string[] = [];
    const limiter = {
      acquire: async () => {
        events.push('acquire');
        return { release: async () => void events.push('release') };
      },
      pause: async (key: string, ms: number) => void events.push(`pause ${key} ${ms}`),
    };
    let calls = 0;
    const transport = new VendorTransport({
      account,
      rateLimiter: limiter,
      maxAttempts: 2,
      fetchImpl: async () => {
        events.push('request');
        return ++calls === 1
          ? new Response('slow down', { status: 429, headers: { 'retry-after': '2' } })
          : new Response('{"code":200,"data":7}', { status: 200 });
      },
    });
    await expect(transport.send({ method: 'GET', path: '/read', idempotent: true }, readEnvelope)).resolves.toBe(7);
    // Each attempt holds its own slot until its answer is in: the vendor has counted it by then.
    expect(events).toEqual([
      'acquire',
      'request',
      'pause vendor:acct-transport 2000',
      'release',
      'acquire',
      'request',
      'release',
    ]);
  });
});

describe('VendorTransport waiting for a rate-limit slot', () => {
  it('does not count the wait for a slot against the per-try timeout: the request still goes out once', async () => {
    const vendor = scriptedVendor([200]);
    const transport = new VendorTransport({
      account: { ...account, timeoutMs: 50 },
      // Other processes hold the account's slots for longer than a whole try may last.
      rateLimiter: {
        acquire: () => new Promise((resolve) => setTimeout(() => resolve({ release: async () => undefined }), 200)),
        pause: async () => undefined,
      },
      fetchImpl: vendor.fetchImpl,
    });
    await expect(transport.send({ method: 'POST', path: '/reboot', idempotent: false }, readEnvelope)).resolves.toBe(1);
    expect(vendor.calls).toHaveLength(1);
  });

  it('gives up a request that never got a slot as rate limited and refused up front, without sending it', async () => {
    const vendor = scriptedVendor([200]);
    const transport = new VendorTransport({
      account,
      maxSlotWaitMs: 50,
      rateLimiter: {
        acquire: (_key, _limit, signal) =>
          new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
        pause: async () => undefined,
      },
      fetchImpl: vendor.fetchImpl,
    });
    const error = await transport.send({ method: 'POST', path: '/reboot', idempotent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VendorError);
    expect(error).toMatchObject({ kind: 'rate_limited', vendorCode: 'local_rate_limit' });
    expect((error as VendorError).refusedUpFront).toBe(true);
    expect(vendor.calls).toHaveLength(0);
  });
});

describe('VendorTransport through the outbound HTTP client', () => {
  let server: Server;
  let baseUrl: string;
  const seen: string[] = [];
  const clients: OutboundHttp[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.url ?? '');
      if (request.url === '/moved') response.writeHead(302, { location: 'http://169.254.169.254/latest' }).end();
      else if (request.url === '/large') response.end(JSON.stringify({ data: 'x'.repeat(5_000) }));
      else response.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    seen.length = 0;
  });

  afterAll(async () => {
    await Promise.all(clients.map((http) => http.close()));
    await new Promise((resolve) => server.close(resolve));
  });

  function transportThrough(allowInternal: boolean, maxResponseBytes = 1_000) {
    const http = new OutboundHttp({ allowInternal, maxResponseBytes });
    clients.push(http);
    return new VendorTransport({
      account: { ...account, baseUrl },
      rateLimiter: new InProcessRateLimiter(),
      fetchImpl: http.fetch,
      maxResponseBytes,
      maxAttempts: 3,
    });
  }

  it('refuses a base URL at an internal address when it is called, not only when it is saved', async () => {
    await expect(
      transportThrough(false).send({ method: 'GET', path: '/devices', idempotent: true }),
    ).rejects.toMatchObject({ kind: 'vendor_error', vendorCode: 'refused_address' });
    expect(seen).toEqual([]);
  });

  it('does not follow a redirect: a 3xx is a vendor error, not retried', async () => {
    await expect(
      transportThrough(true).send({ method: 'GET', path: '/moved', idempotent: true }),
    ).rejects.toMatchObject({
      kind: 'vendor_error',
      vendorCode: 'redirect',
      vendorMessage: expect.stringContaining('302'),
    });
    expect(seen).toEqual(['/moved']);
  });

  it('refuses an answer larger than the cap', async () => {
    await expect(
      transportThrough(true).send({ method: 'GET', path: '/large', idempotent: false }),
    ).rejects.toMatchObject({ kind: 'vendor_error', vendorCode: 'body_too_large' });
    await expect(
      transportThrough(true).send({ method: 'GET', path: '/small', idempotent: false }),
    ).resolves.toMatchObject({
      status: 200,
      body: { ok: true },
    });
  });
});
