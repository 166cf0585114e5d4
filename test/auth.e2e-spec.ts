import { apiKeysCreate, apiKeysRevoke, authLogin, authLogout, authMe, authRefresh } from '@fleetgate/sdk';
import type { ErrorEnvelopeDto as ErrorEnvelope } from '@fleetgate/sdk';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';

describe('authentication (e2e)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  async function login() {
    const { data, response } = await authLogin({ client: gateway.client, body: ADMIN });
    expect(response.status).toBe(200);
    return data!;
  }

  it('signs the first administrator in with the configured password', async () => {
    const tokens = await login();
    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.accessToken.split('.')).toHaveLength(3);
    const { data } = await authMe({ client: gateway.as(tokens.accessToken) });
    expect(data).toMatchObject({ kind: 'user', email: ADMIN.email, superAdmin: true });
  });

  it('refuses a wrong password with 401 in the envelope', async () => {
    const { error, response } = await authLogin({
      client: gateway.client,
      body: { ...ADMIN, password: 'not-the-password' },
    });
    expect(response.status).toBe(401);
    expect(error).toMatchObject({ error: { code: 'unauthorized', requestId: response.headers.get('x-request-id') } });
  });

  it('refuses a protected route without a token, with a bad token, and with a revoked one', async () => {
    expect((await authMe({ client: gateway.client })).response.status).toBe(401);
    expect((await authMe({ client: gateway.as('not.a.jwt') })).response.status).toBe(401);

    const tokens = await login();
    const client = gateway.as(tokens.accessToken);
    expect((await authMe({ client })).response.status).toBe(200);
    expect((await authLogout({ client })).response.status).toBe(204);
    const revoked = await authMe({ client });
    expect(revoked.response.status).toBe(401);
    expect(revoked.error).toMatchObject({ error: { code: 'unauthorized' } });
    // The session's refresh token died with it.
    expect(
      (await authRefresh({ client: gateway.client, body: { refreshToken: tokens.refreshToken } })).response.status,
    ).toBe(401);
  });

  it('rotates refresh tokens: the new pair works, the old refresh token does not', async () => {
    const first = await login();
    const { data: second, response } = await authRefresh({
      client: gateway.client,
      body: { refreshToken: first.refreshToken },
    });
    expect(response.status).toBe(200);
    expect(second!.refreshToken).not.toBe(first.refreshToken);
    expect((await authMe({ client: gateway.as(second!.accessToken) })).response.status).toBe(200);
    expect(
      (await authRefresh({ client: gateway.client, body: { refreshToken: first.refreshToken } })).response.status,
    ).toBe(401);
  });

  it('reports a validation error in the envelope, naming each field', async () => {
    const response = await fetch(`${gateway.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-validation-1' },
      body: JSON.stringify({ email: 'not-an-email', password: 'x', role: 'root' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe('req-validation-1');
    const body = (await response.json()) as ErrorEnvelope;
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.requestId).toBe('req-validation-1');
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'email', problem: 'must be an email' },
        { field: 'role', problem: 'is not an accepted field' },
      ]),
    );
  });

  it('answers malformed JSON and unknown routes in the same envelope', async () => {
    const malformed = await fetch(`${gateway.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorEnvelope).error.code).toBe('validation_failed');
    const unknown = await fetch(`${gateway.baseUrl}/no/such/route`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorEnvelope).error).toMatchObject({ code: 'not_found' });
  });

  it('issues API keys that work until revoked, and shows the key only once', async () => {
    const tokens = await login();
    const admin = gateway.as(tokens.accessToken);
    const { data: created, response } = await apiKeysCreate({
      client: admin,
      body: { name: 'prometheus', permissions: ['metrics:read'] },
    });
    expect(response.status).toBe(201);
    expect(created!.key).toMatch(/^fgk_[A-Za-z0-9]{12}_/);

    const scrape = () => fetch(`${gateway.baseUrl}/metrics`, { headers: { 'x-api-key': created!.key } });
    const metrics = await scrape();
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('fleetgate_http_request_duration_seconds');

    // The key holds metrics:read only.
    const forbidden = await fetch(`${gateway.baseUrl}/api-keys`, { headers: { 'x-api-key': created!.key } });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as ErrorEnvelope).error.code).toBe('forbidden');

    const listed = await fetch(`${gateway.baseUrl}/api-keys`, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    const keys = (await listed.json()) as Array<Record<string, unknown>>;
    const mine = keys.find((key) => key.id === created!.id)!;
    expect(mine).toBeDefined();
    expect(mine).not.toHaveProperty('key');
    expect(JSON.stringify(keys)).not.toContain(created!.key.slice('fgk_'.length + 13));

    expect((await apiKeysRevoke({ client: admin, path: { id: created!.id } })).response.status).toBe(204);
    expect((await scrape()).status).toBe(401);
  });

  it('refuses an API key that asks for a permission that does not exist', async () => {
    const tokens = await login();
    const { response, error } = await apiKeysCreate({
      client: gateway.as(tokens.accessToken),
      body: { name: 'x', permissions: ['everything:please'] as never },
    });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ error: { details: [expect.objectContaining({ field: 'permissions' })] } });
  });
});
