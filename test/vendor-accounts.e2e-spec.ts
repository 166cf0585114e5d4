import { Client } from 'pg';
import {
  authLogin,
  vendorAccountsCreate,
  vendorAccountsGet,
  vendorAccountsList,
  vendorAccountsRemove,
  vendorAccountsTest,
  vendorAccountsUpdate,
  vendorAccountsVendors,
} from '@fleetgate/sdk';
import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import { ADMIN, type RunningGateway, startGateway, TEST_DATABASE_URL } from './support/gateway-harness';

describe('vendor accounts (e2e, against the TikMatrix simulator over HTTP)', () => {
  let gateway: RunningGateway;
  let sim: SimulatorServer;
  let simUrl: string;
  let admin: RunningGateway['client'];

  beforeAll(async () => {
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 0 });
    simUrl = await sim.listen(0);
    gateway = await startGateway();
    const { data } = await authLogin({ client: gateway.client, body: ADMIN });
    admin = gateway.as(data!.accessToken);
  });

  afterAll(async () => {
    await gateway?.close();
    await sim?.close();
  });

  const name = () => `farm-${Math.random().toString(36).slice(2, 8)}`;

  it('describes the vendors this build speaks to', async () => {
    const { data } = await vendorAccountsVendors({ client: admin });
    expect(data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          vendor: 'tikmatrix',
          capabilities: expect.arrayContaining(['script.start', 'tasks.poll']),
        }),
      ]),
    );
  });

  it('creates an account, tests its connection, and reports the vendor’s refusal in its own words', async () => {
    const created = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'tikmatrix', name: name(), baseUrl: simUrl, credentials: {} },
    });
    expect(created.response.status).toBe(201);
    const account = created.data!;
    expect(account).toMatchObject({
      vendor: 'tikmatrix',
      rateLimitPerSecond: 20,
      webhookPath: `/webhooks/tikmatrix/${account.id}`,
    });
    expect(account.webhookSecret.length).toBeGreaterThan(20);

    expect((await vendorAccountsTest({ client: admin, path: { id: account.id } })).data).toEqual({ ok: true });

    await fetch(`${simUrl}/_sim/tikmatrix/license`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"plan":"starter"}',
    });
    try {
      const refused = await vendorAccountsTest({ client: admin, path: { id: account.id } });
      expect(refused.data).toEqual({
        ok: false,
        error: { kind: 'unauthorized', vendorCode: '40301', vendorMessage: expect.stringContaining('Pro') },
      });
    } finally {
      await fetch(`${simUrl}/_sim/tikmatrix/license`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"plan":"pro"}',
      });
    }

    // The webhook secret is shown once and kept only sealed.
    const again = await vendorAccountsGet({ client: admin, path: { id: account.id } });
    expect(again.data).not.toHaveProperty('webhookSecret');
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(
        'SELECT webhook_secret_sealed, credentials_sealed FROM vendor_accounts WHERE id = $1',
        [account.id],
      );
      expect(rows[0].webhook_secret_sealed).toMatch(/^v1\./);
      expect(rows[0].webhook_secret_sealed).not.toContain(account.webhookSecret);
    } finally {
      await db.end();
    }
  });

  it('lists in pages, updates, refuses a duplicate name with 409, and deletes', async () => {
    const accountName = name();
    const { data: account } = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'tikmatrix', name: accountName, baseUrl: simUrl, credentials: {} },
    });
    const duplicate = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'tikmatrix', name: accountName, baseUrl: simUrl, credentials: {} },
    });
    expect(duplicate.response.status).toBe(409);
    expect(duplicate.error).toMatchObject({
      error: { code: 'conflict', details: expect.arrayContaining([{ field: 'name', problem: 'is already taken' }]) },
    });

    const page = await vendorAccountsList({ client: admin, query: { page: 1, pageSize: 1, vendor: 'tikmatrix' } });
    expect(page.data).toMatchObject({ page: 1, pageSize: 1, items: [expect.any(Object)] });
    expect(page.data!.total).toBeGreaterThanOrEqual(2);

    const updated = await vendorAccountsUpdate({
      client: admin,
      path: { id: account!.id },
      body: { rateLimitPerSecond: 5, enabled: false },
    });
    expect(updated.data).toMatchObject({ rateLimitPerSecond: 5, enabled: false });

    expect((await vendorAccountsRemove({ client: admin, path: { id: account!.id } })).response.status).toBe(204);
    const gone = await vendorAccountsGet({ client: admin, path: { id: account!.id } });
    expect(gone.response.status).toBe(404);
    expect(gone.error).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses unknown vendors and credential fields, naming them', async () => {
    const unknownField = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'tikmatrix', name: name(), baseUrl: simUrl, credentials: { apiKey: 'x' } },
    });
    expect(unknownField.response.status).toBe(400);
    expect(unknownField.error).toMatchObject({
      error: { details: [{ field: 'credentials.apiKey', problem: 'is not a tikmatrix credential field' }] },
    });

    const badVendor = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'acme' as never, name: name(), baseUrl: 'ftp://x', credentials: {} },
    });
    expect(badVendor.response.status).toBe(400);
    const fields = (badVendor.error as { error: { details: Array<{ field: string }> } }).error.details.map(
      (d) => d.field,
    );
    expect(fields).toEqual(expect.arrayContaining(['vendor', 'baseUrl']));
  });
});
