import { randomUUID } from 'node:crypto';
import { WebhookRateLimiter } from '@fleetgate/fleet';
import { RedisConnections } from '@fleetgate/redis';
import { freePort } from './support/app-process';
import { type RunningGateway, startGateway, testConfig } from './support/gateway-harness';

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

  /**
   * With a limit of 5 a minute: a burst of 12 from one address asked in one turn of the event loop (as
   * requests arriving together are) gets 5 admitted in arrival order and 7 refused; two addresses in one
   * turn are counted apart, and the address over its limit stays refused; a burst over two turns is
   * admitted only up to what the first left.
   */
  async function expectBurstsHeldToFive(limiter: WebhookRateLimiter): Promise<void> {
    const from = address();
    const answers = await Promise.all(Array.from({ length: 12 }, () => limiter.admit(from)));
    expect(answers.slice(0, 5)).toEqual(Array(5).fill(undefined));
    expect(answers.slice(5)).toEqual(Array(7).fill({ retryAfterSeconds: expect.any(Number) }));
    const [other, next] = await Promise.all([limiter.admit(address()), limiter.admit(from)]);
    expect(other).toBeUndefined();
    expect(next).toEqual({ retryAfterSeconds: expect.any(Number) });
    const twice = address();
    const first = await Promise.all(Array.from({ length: 3 }, () => limiter.admit(twice)));
    const second = await Promise.all(Array.from({ length: 3 }, () => limiter.admit(twice)));
    expect([...first, ...second].map((answer) => answer === undefined)).toEqual([true, true, true, true, true, false]);
  }

  it('counts requests arriving together one by one: of 12 at once from one address, 5 are admitted and 7 refused', async () => {
    await expectBurstsHeldToFive(gateway.app.get(WebhookRateLimiter));
    // Over HTTP, requests arriving at once are held to the limit too.
    const busy = address();
    const statuses = (
      await Promise.all(Array.from({ length: 12 }, () => post(`/webhooks/tikmatrix/${randomUUID()}`, '{}', busy)))
    ).map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it('while Redis is unreachable, counts a burst in this process’s memory to the same limit', async () => {
    // A port nothing listens on: every Redis command fails at once, and the memory fallback counts.
    const config = testConfig({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, WEBHOOK_REQUESTS_PER_IP_PER_MINUTE: '5' });
    const limiter = new WebhookRateLimiter(config, new RedisConnections(config));
    try {
      await expectBurstsHeldToFive(limiter);
    } finally {
      limiter.onModuleDestroy();
    }
  });

  /** What a refusal of the webhook route answers: its status, and its envelope carrying the answer's request id. */
  async function refusal(response: Response): Promise<{ status: number; error: Record<string, unknown> }> {
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error.requestId).toBe(response.headers.get('x-request-id'));
    return { status: response.status, error: body.error };
  }

  it('refuses bad input on the webhook route with a 400 in the error envelope naming the field', async () => {
    const notUuid = await refusal(await post('/webhooks/tikmatrix/not-a-uuid', '{}', address()));
    expect(notUuid).toMatchObject({
      status: 400,
      error: { code: 'validation_failed', details: [{ field: 'accountId', problem: 'must be a UUID' }] },
    });
    const controlInVendor = await refusal(await post(`/webhooks/tik%01matrix/${randomUUID()}`, '{}', address()));
    expect(controlInVendor).toMatchObject({
      status: 400,
      error: { details: [{ field: 'vendor', problem: 'must not contain control characters' }] },
    });
    const controlInToken = await refusal(await post(`/webhooks/tikmatrix/${randomUUID()}?token=a%01b`, '{}', address()));
    expect(controlInToken).toMatchObject({
      status: 400,
      error: { details: [{ field: 'token', problem: 'must not contain control characters' }] },
    });
    const notJson = await refusal(await post(`/webhooks/tikmatrix/${randomUUID()}`, '{"open":', address()));
    expect(notJson).toMatchObject({ status: 400, error: { code: 'validation_failed' } });
  });

  it('refuses an unknown account or a wrong secret on the webhook route with 401 in the error envelope', async () => {
    const unknown = await refusal(
      await post(`/webhooks/tikmatrix/${randomUUID()}`, '{}', address(), { 'x-fleetgate-webhook-secret': 'guess' }),
    );
    expect(unknown).toMatchObject({ status: 401, error: { code: 'unauthorized' } });
    expect(JSON.stringify(unknown)).not.toContain('guess');
  });
});
