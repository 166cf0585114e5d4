import { randomUUID } from 'node:crypto';
import { type RunningGateway, startGateway } from './support/gateway-harness';

/** The limits of the open webhook route, which anyone can reach before authenticating. */
describe('webhook intake limits (e2e)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({
      // Counters of its own, and each test's requests come from a forwarded address of their own.
      REDIS_PREFIX: `fg-webhooks-${process.pid}-${Date.now()}`,
      TRUST_PROXY_HOPS: '1',
      WEBHOOK_REQUESTS_PER_IP_PER_MINUTE: '5',
    });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const address = () =>
    `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

  function post(path: string, body: string, from: string, headers: Record<string, string> = {}) {
    return fetch(`${gateway.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...headers },
      body,
    });
  }

  it('refuses a webhook body over 256 KiB with 413 in the error envelope, and only on that route', async () => {
    const large = JSON.stringify({ padding: 'x'.repeat(300 * 1024) });
    const refused = await post(`/webhooks/tikmatrix/${randomUUID()}`, large, address());
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({ error: { code: 'payload_too_large', requestId: expect.any(String) } });
    // Another route keeps the general limit: the same body reaches its own checks.
    const elsewhere = await post('/auth/login', large, address());
    expect(elsewhere.status).toBe(400);
  });

  it('limits webhook requests per client address with 429 and Retry-After, other addresses unaffected', async () => {
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await post(`/webhooks/tikmatrix/${randomUUID()}`, '{}', from)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await post(`/webhooks/tikmatrix/${randomUUID()}`, '{}', from);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await post(`/webhooks/tikmatrix/${randomUUID()}`, '{}', address())).status).toBe(401);
  });
});
