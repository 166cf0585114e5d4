import { healthLive, healthReady } from '@fleetgate/sdk';
import { type RunningGateway, startGateway } from './support/gateway-harness';

describe('health, metrics and OpenAPI (e2e)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('is live and ready with PostgreSQL and Redis up', async () => {
    expect((await healthLive({ client: gateway.client })).response.status).toBe(200);
    const { data, response } = await healthReady({ client: gateway.client });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ status: 'ok', details: { postgres: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('reports Redis down when Redis is unreachable', async () => {
    const isolated = await startGateway({ REDIS_URL: 'redis://127.0.0.1:1', MIGRATE_ON_START: 'false' });
    try {
      const { error, response } = await healthReady({ client: isolated.client });
      expect(response.status).toBe(503);
      expect(error).toMatchObject({
        error: { code: 'unavailable', details: [{ field: 'redis', problem: expect.stringMatching(/^down/) }] },
      });
    } finally {
      await isolated.close();
    }
  });

  it('serves Swagger UI and an OpenAPI document in which every non-public route is secured', async () => {
    expect((await fetch(`${gateway.baseUrl}/docs`)).status).toBe(200);
    const document = (await (await fetch(`${gateway.baseUrl}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    // Vendor webhooks are open by design: they verify the account's webhook secret themselves.
    const open = new Set([
      '/health/live',
      '/health/ready',
      '/auth/login',
      '/auth/refresh',
      '/webhooks/{vendor}/{accountId}',
      // Signed, expiring download links for vendors, which cannot sign in.
      '/artifacts/{id}/content',
    ]);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
        if (open.has(path)) continue;
        expect({ route: `${method} ${path}`, security: operation.security?.length ?? 0 }).toEqual({
          route: `${method} ${path}`,
          security: 2,
        });
        expect(operation.responses).toHaveProperty('401');
      }
    }
  });

  it('returns a request id on every answer, keeping a sane one the caller sent', async () => {
    const echoed = await fetch(`${gateway.baseUrl}/health/live`, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc-123');
    const replaced = await fetch(`${gateway.baseUrl}/health/live`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
