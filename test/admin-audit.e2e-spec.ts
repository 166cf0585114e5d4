import { Client } from 'pg';
import { authLogin, type LoginLogDto, type OperationLogDto } from '@fleetgate/sdk';
import { OperationLogsService } from '@fleetgate/admin';
import { NumberSegmentAllocator } from '@fleetgate/persistence';
import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import { ADMIN, E2E_INSTANCES, type RunningGateway, startGateway, TEST_DATABASE_URL } from './support/gateway-harness';

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

interface Page<T> {
  items: T[];
  total: number;
}

describe('admin: operation log, login log and number segments (e2e)', () => {
  // Tasks enqueue dispatch jobs; nothing here consumes them, so they go to a Redis prefix of their own.
  const env = { REDIS_PREFIX: `fg-e2e-audit-${process.pid}-${Date.now()}` };
  const run = `${process.pid}-${Date.now().toString(36)}`;
  let gateway: RunningGateway;
  let sim: SimulatorServer;
  let simUrl: string;
  let token: string;
  let db: Client;

  beforeAll(async () => {
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 3, timeScale: 0 });
    simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    token = (await authLogin({ client: gateway.client, body: ADMIN })).data!.accessToken;
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.query('DELETE FROM number_segments WHERE biz_tag LIKE $1', [`e2e-${run}%`]);
    await db?.end();
    await gateway?.close();
    await sim?.close();
  });

  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; token?: string | null; requestId?: string } = {},
  ): Promise<Answer<T>> {
    const bearer = options.token === undefined ? token : options.token;
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** The logged rows of these request ids; writes are batched, so this waits for them a little. */
  async function loggedRows(requestIds: string[], path: string): Promise<Map<string, OperationLogDto>> {
    const found = new Map<string, OperationLogDto>();
    for (let attempt = 0; attempt < 50 && found.size < requestIds.length; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, 100));
      const page = await call<Page<OperationLogDto>>('GET', `/admin/operation-logs?path=${path}&pageSize=200`);
      expect(page.status).toBe(200);
      for (const row of page.body.items)
        if (row.requestId && requestIds.includes(row.requestId)) found.set(row.requestId, row);
    }
    if (found.size < requestIds.length) throw new Error(`logged only ${[...found.keys()].join(', ')}`);
    return found;
  }

  describe('operation log', () => {
    it('records successes, validation failures and guard refusals, with route, target and actor, but no body', async () => {
      const ids = { created: `op-created-${run}`, invalid: `op-invalid-${run}`, refused: `op-refused-${run}` };
      const ids2 = { removed: `op-removed-${run}`, read: `op-read-${run}` };
      const created = await call<{ id: string; secret?: string }>('POST', '/event-subscriptions', {
        body: { name: `audit-${run}`, url: 'http://127.0.0.1:9/hook' },
        requestId: ids.created,
      });
      expect(created.status).toBe(201);
      const invalid = await call('POST', '/event-subscriptions', {
        body: { name: '', url: 'not a url', password: 'sw0rdfish-in-body' },
        requestId: ids.invalid,
      });
      expect(invalid.status).toBe(400);
      const refused = await call('POST', '/event-subscriptions', {
        body: { name: `nobody-${run}`, url: 'http://127.0.0.1:9/x' },
        token: null,
        requestId: ids.refused,
      });
      expect(refused.status).toBe(401);
      expect(
        (await call('DELETE', `/event-subscriptions/${created.body.id}`, { requestId: ids2.removed })).status,
      ).toBe(204);
      // Reads are not logged.
      await call('GET', '/event-subscriptions', { requestId: ids2.read });

      const rows = await loggedRows(Object.values(ids), '/event-subscriptions');
      expect(rows.get(ids.created)).toMatchObject({
        actor: ADMIN.email,
        userId: expect.any(String),
        method: 'POST',
        route: '/event-subscriptions',
        path: '/event-subscriptions',
        targetId: created.body.id,
        statusCode: 201,
        outcome: 'succeeded',
        errorCode: null,
        ip: '127.0.0.1',
        durationMs: expect.any(Number),
      });
      expect(rows.get(ids.invalid)).toMatchObject({
        actor: ADMIN.email,
        route: '/event-subscriptions',
        statusCode: 400,
        outcome: 'failed',
        errorCode: 'validation_failed',
        targetId: null,
      });
      expect(rows.get(ids.refused)).toMatchObject({
        actor: null,
        userId: null,
        statusCode: 401,
        outcome: 'failed',
        errorCode: 'unauthorized',
      });
      const removed = await loggedRows([ids2.removed], `/event-subscriptions/${created.body.id}`);
      expect(removed.get(ids2.removed)).toMatchObject({
        method: 'DELETE',
        route: '/event-subscriptions/:id',
        targetId: created.body.id,
        statusCode: 204,
        outcome: 'succeeded',
      });

      const { rows: stored } = await db.query('SELECT * FROM operation_logs WHERE request_id = ANY($1)', [
        [...Object.values(ids), ...Object.values(ids2)],
      ]);
      // Four changing requests; the read is not among them.
      expect(stored).toHaveLength(4);
      const everything = JSON.stringify(stored);
      expect(everything).not.toContain('sw0rdfish-in-body');
      expect(everything).not.toContain('127.0.0.1:9/hook');
      if (created.body.secret) expect(everything).not.toContain(created.body.secret);
    });

    it('logs logout, but not sign-in or refresh (the login log keeps those)', async () => {
      const session = (await authLogin({ client: gateway.client, body: ADMIN })).data!;
      expect(
        (await call('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken }, token: null })).status,
      ).toBe(200);
      const logout = `op-logout-${run}`;
      expect((await call('POST', '/auth/logout', { token: session.accessToken, requestId: logout })).status).toBe(204);
      const rows = await loggedRows([logout], '/auth/logout');
      expect(rows.get(logout)).toMatchObject({ actor: ADMIN.email, route: '/auth/logout', outcome: 'succeeded' });
      for (const path of ['/auth/login', '/auth/refresh']) {
        const page = await call<Page<OperationLogDto>>('GET', `/admin/operation-logs?path=${path}`);
        expect(page.body.total).toBe(0);
      }
    });

    it('filters by actor, method, outcome and status code, and refuses a bad filter', async () => {
      const failed = await call<Page<OperationLogDto>>(
        'GET',
        `/admin/operation-logs?outcome=failed&statusCode=401&method=POST&route=/event-subscriptions`,
      );
      expect(failed.status).toBe(200);
      expect(failed.body.items.length).toBeGreaterThan(0);
      expect(failed.body.items.every((row) => row.statusCode === 401 && row.outcome === 'failed')).toBe(true);
      const mine = await call<Page<OperationLogDto>>('GET', `/admin/operation-logs?actor=ADMIN@fleetgate`);
      expect(mine.body.items.every((row) => row.actor === ADMIN.email)).toBe(true);
      const future = new Date(Date.now() + 86_400_000).toISOString();
      expect((await call<Page<OperationLogDto>>('GET', `/admin/operation-logs?from=${future}`)).body.total).toBe(0);
      expect((await call('GET', '/admin/operation-logs?outcome=maybe')).status).toBe(400);
      expect((await call('GET', '/admin/operation-logs', { token: null })).status).toBe(401);
    });

    it('cleans old rows on request, and purges operation and login logs past the retention', async () => {
      const old = new Date(Date.now() - 400 * 86_400_000);
      const requestId = `op-old-${run}`;
      await db.query(
        `INSERT INTO operation_logs (id, method, route, path, status_code, outcome, duration_ms, request_id, created_at)
         VALUES (gen_random_uuid(), 'POST', '/old', '/old', 200, 'succeeded', 1, $1, $2)`,
        [requestId, old],
      );
      expect((await call('POST', '/admin/operation-logs/clean', { body: { olderThanDays: -1 } })).status).toBe(400);
      const cleaned = await call<{ deleted: number }>('POST', '/admin/operation-logs/clean', {
        body: { olderThanDays: 365 },
      });
      expect(cleaned.status).toBe(200);
      expect(cleaned.body.deleted).toBeGreaterThanOrEqual(1);
      expect((await db.query('SELECT 1 FROM operation_logs WHERE request_id = $1', [requestId])).rowCount).toBe(0);
      // Recent rows stay.
      expect((await call<Page<OperationLogDto>>('GET', '/admin/operation-logs')).body.total).toBeGreaterThan(0);

      // Past the default retention of 90 days, the worker's audit.purge deletes both kinds.
      const stale = new Date(Date.now() - 91 * 86_400_000);
      const email = `stale-${run}@example.com`;
      await db.query(
        `INSERT INTO operation_logs (id, method, route, path, status_code, outcome, duration_ms, request_id, created_at)
         VALUES (gen_random_uuid(), 'POST', '/stale', '/stale', 200, 'succeeded', 1, $1, $2)`,
        [`op-stale-${run}`, stale],
      );
      await db.query(
        `INSERT INTO login_logs (id, email, outcome, reason, created_at)
         VALUES (gen_random_uuid(), $1, 'failed', 'unknown_user', $2)`,
        [email, stale],
      );
      const purged = await gateway.app.get(OperationLogsService).purgeExpired();
      expect(purged.operationLogs).toBeGreaterThanOrEqual(1);
      expect(purged.loginLogs).toBeGreaterThanOrEqual(1);
      expect((await db.query('SELECT 1 FROM login_logs WHERE email = $1', [email])).rowCount).toBe(0);
    });
  });

  describe('login log', () => {
    it('records each attempt with its outcome and reason, never the password', async () => {
      const stranger = `nobody-${run}@example.com`;
      const secret = `pw-${run}-never-stored`;
      expect(
        (await authLogin({ client: gateway.client, body: { email: stranger, password: secret } })).response.status,
      ).toBe(401);
      expect(
        (await authLogin({ client: gateway.client, body: { email: ADMIN.email, password: secret } })).response.status,
      ).toBe(401);
      expect((await authLogin({ client: gateway.client, body: ADMIN })).response.status).toBe(200);

      const unknown = await call<Page<LoginLogDto>>('GET', `/admin/login-logs?email=${encodeURIComponent(stranger)}`);
      expect(unknown.status).toBe(200);
      expect(unknown.body.items).toEqual([
        expect.objectContaining({ email: stranger, userId: null, outcome: 'failed', reason: 'unknown_user' }),
      ]);
      const admin = await call<Page<LoginLogDto>>('GET', `/admin/login-logs?email=admin@fleetgate&pageSize=5`);
      const [latest, before] = admin.body.items;
      expect(latest).toMatchObject({
        email: ADMIN.email,
        outcome: 'succeeded',
        reason: null,
        userId: expect.any(String),
      });
      expect(before).toMatchObject({ email: ADMIN.email, outcome: 'failed', reason: 'bad_password', ip: '127.0.0.1' });
      expect(before.userAgent).toEqual(expect.any(String));
      const onlyFailed = await call<Page<LoginLogDto>>('GET', `/admin/login-logs?outcome=failed&email=${run}`);
      expect(onlyFailed.body.items.every((row) => row.outcome === 'failed')).toBe(true);

      const { rows } = await db.query('SELECT * FROM login_logs WHERE email IN ($1, $2)', [stranger, ADMIN.email]);
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(JSON.stringify(rows)).not.toContain(ADMIN.password);
    });
  });

  describe('number segments', () => {
    const tag = `e2e-${run}`;

    it('creates, lists, raises and deletes segments, and refuses what would repeat numbers', async () => {
      const created = await call('POST', '/admin/number-segments', {
        body: { bizTag: tag, maxId: 50, step: 10, description: 'e2e' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ bizTag: tag, maxId: '50', step: 10, description: 'e2e' });
      expect((await call('POST', '/admin/number-segments', { body: { bizTag: tag, step: 10 } })).status).toBe(409);
      const badTag = await call<{ error: { details: Array<{ field: string }> } }>('POST', '/admin/number-segments', {
        body: { bizTag: 'Not A Tag', step: 10 },
      });
      expect(badTag.status).toBe(400);
      expect(badTag.body.error.details.map((detail) => detail.field)).toContain('bizTag');
      expect((await call('POST', '/admin/number-segments', { body: { bizTag: `${tag}-z`, step: 0 } })).status).toBe(
        400,
      );

      const list = await call<Page<{ bizTag: string }>>('GET', `/admin/number-segments?bizTag=${run}`);
      expect(list.body.items.map((item) => item.bizTag)).toEqual([tag]);

      const lowered = await call<{ error: { code: string; details: Array<{ field: string }> } }>(
        'PATCH',
        `/admin/number-segments/${tag}`,
        { body: { maxId: 40 } },
      );
      expect(lowered.status).toBe(409);
      expect(lowered.body.error.details.map((detail) => detail.field)).toEqual(['maxId']);
      const raised = await call('PATCH', `/admin/number-segments/${tag}`, {
        body: { maxId: 60, step: 5, description: 'raised' },
      });
      expect(raised.status).toBe(200);
      expect(raised.body).toMatchObject({ maxId: '60', step: 5, description: 'raised' });
      expect(await gateway.app.get(NumberSegmentAllocator).next(tag)).toBe(61n);
      expect((await call('PATCH', `/admin/number-segments/${tag}-missing`, { body: { step: 2 } })).status).toBe(404);

      expect((await call('DELETE', '/admin/number-segments/task')).status).toBe(409);
      expect((await call('DELETE', `/admin/number-segments/${tag}`)).status).toBe(204);
      expect((await call('DELETE', `/admin/number-segments/${tag}`)).status).toBe(404);
    });

    it('gives tasks distinct numbers, increasing within a gateway', async () => {
      const account = await call<{ id: string }>('POST', '/vendor-accounts', {
        body: { vendor: 'tikmatrix', name: `audit-${run}`, baseUrl: simUrl, credentials: {} },
      });
      expect(account.status).toBe(201);
      const device = await call<{ id: string }>('POST', '/devices', {
        body: { accountId: account.body.id, vendorRef: 'TMX000001' },
      });
      expect(device.status).toBe(201);
      const numbers: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const task = await call<{ number: string }>('POST', '/tasks', {
          body: {
            operation: { type: 'script.start', params: { script: 'login' } },
            targets: { deviceIds: [device.body.id] },
          },
        });
        expect(task.status).toBe(202);
        numbers.push(BigInt(task.body.number));
      }
      expect(new Set(numbers).size).toBe(3);
      // One gateway hands out its block in order; behind a load balancer (E2E_INSTANCES=2) each
      // instance has a block of its own, so only uniqueness holds across them.
      if (E2E_INSTANCES === 1) {
        expect(numbers[1]).toBeGreaterThan(numbers[0]);
        expect(numbers[2]).toBeGreaterThan(numbers[1]);
      }
      const segment = await call<{ maxId: string }>('GET', '/admin/number-segments/task');
      for (const number of numbers) expect(BigInt(segment.body.maxId)).toBeGreaterThanOrEqual(number);
    });
  });
});
