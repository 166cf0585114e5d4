import { WebhookSignature } from '@fleetgate/platform';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';

/** Defences that hold with the production defaults (here: internal URLs not allowed). */
describe('security defaults (e2e)', () => {
  let gateway: RunningGateway;
  let token: string;

  async function post(path: string, body: unknown, auth = true, headers: Record<string, string> = {}) {
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(auth ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several routes, read field by field
      json: (await response.json().catch(() => undefined)) as any,
      headers: response.headers,
    };
  }

  beforeAll(async () => {
    gateway = await startGateway({
      // Sign-in counters of its own: other suites sign in from this address too.
      REDIS_PREFIX: `fg-security-${process.pid}-${Date.now()}`,
      ALLOW_INTERNAL_URLS: 'false',
      LOGIN_FAILURES_PER_ACCOUNT: '3',
      LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '20',
      TRUST_PROXY_HOPS: '1',
    });
    token = (await post('/auth/login', ADMIN, false)).json.accessToken;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it.each([
    ['http://127.0.0.1:4101', 'loopback'],
    ['http://169.254.169.254/latest', 'linkLocal'],
    ['http://localhost:4101', 'localhost'],
  ])('refuses a vendor base URL at %s', async (baseUrl, what) => {
    const refused = await post('/vendor-accounts', {
      vendor: 'tikmatrix',
      name: `ssrf-${what}`,
      baseUrl,
      credentials: {},
    });
    expect(refused.status).toBe(422);
    expect(refused.json.error.details).toEqual([
      { field: 'baseUrl', problem: expect.stringContaining('must not point at') },
    ]);
  });

  it('refuses an event subscription to a metadata address', async () => {
    const refused = await post('/event-subscriptions', { name: 'metadata', url: 'http://169.254.169.254/hook' });
    expect(refused.status).toBe(422);
    expect(refused.json.error.details).toEqual([
      { field: 'url', problem: 'must not point at a linkLocal address (169.254.169.254)' },
    ]);
  });

  // Each run signs in from its own (forwarded) address, so counters left in Redis by earlier runs do not matter.
  const address = () =>
    `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

  it('makes an address wait after repeated wrong passwords for one e-mail, and logs it', async () => {
    const from = { 'x-forwarded-for': address() };
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(
        (await post('/auth/login', { email: ADMIN.email, password: 'wrong-password-1' }, false, from)).status,
      ).toBe(401);
    }
    const locked = await post('/auth/login', ADMIN, false, from);
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Another address is not held back by it: the user is not locked out from afar.
    expect((await post('/auth/login', ADMIN, false, { 'x-forwarded-for': address() })).status).toBe(200);
    const logs = await fetch(`${gateway.baseUrl}/admin/login-logs?outcome=locked&pageSize=5`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await logs.json()) as { items: Array<{ ip: string }> }).items.map((row) => row.ip)).toContain(
      from['x-forwarded-for'],
    );
  });

  it('limits sign-in attempts per address per minute', async () => {
    const from = { 'x-forwarded-for': address() };
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 21; attempt++) {
      statuses.push(
        (await post('/auth/login', { email: `nobody${attempt}@example.com`, password: 'x1234567890' }, false, from))
          .status,
      );
    }
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('refuses forged, stale and unsigned-and-secretless callbacks; a replay is acknowledged and ignored', async () => {
    // A public address literal: the account is never called here, only its callbacks are received.
    const account = await post('/vendor-accounts', {
      vendor: 'armcloud',
      name: `signed-${Date.now()}`,
      baseUrl: 'https://93.184.215.14',
      credentials: { accessKeyId: 'AKID-signed', secretAccessKey: 'signed-test-secret-key' },
    });
    expect(account.status).toBe(201);
    const secret = account.json.webhookSecret as string;
    const url = `${gateway.baseUrl}${account.json.webhookPath as string}`;
    const body = JSON.stringify({ taskBusinessType: 1000, padCode: 'AC0001', taskId: 4242, taskStatus: 3 });
    const send = (headers: Record<string, string>, sent = body) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: sent });
    const now = Math.floor(Date.now() / 1000);
    const signed = (at: number, key = secret, sent = body) => ({
      'x-fleetgate-timestamp': String(at),
      'x-fleetgate-signature': WebhookSignature.sign(key, at, sent),
    });

    const first = await send(signed(now));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: true, duplicate: false });
    // The same request again (a replay within the window): acknowledged, stored once, applied once.
    expect(await (await send(signed(now))).json()).toEqual({ accepted: true, duplicate: true });

    const stale = await send(signed(now - 301));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toMatch(/more than 5 minutes/);
    expect((await send(signed(now + 400))).status).toBe(401);
    expect((await send(signed(now, 'not-the-secret'))).status).toBe(401);
    // Signed for one body, sent with another.
    expect((await send(signed(now), body.replace('4242', '4243'))).status).toBe(401);
    expect((await send({})).status).toBe(401);
    expect((await send({ 'x-fleetgate-webhook-secret': 'guess' })).status).toBe(401);
    expect((await send({ 'x-fleetgate-webhook-secret': secret }, body.replace('4242', '4244'))).status).toBe(200);
  });
});
