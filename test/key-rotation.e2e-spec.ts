import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '@fleetgate/config';
import { PrismaService } from '@fleetgate/persistence';
import { SecretBox } from '@fleetgate/platform';
import { authLogin } from '@fleetgate/sdk';
import { resealSecrets } from '../scripts/reseal-secrets';
import { ADMIN, type RunningGateway, startGateway, testConfig } from './support/gateway-harness';

/** The rotations docs/operations.md describes, step by step, against the real gateway and database. */
describe('rotating SECRETS_KEY and JWT_SECRET (e2e)', () => {
  const demo = loadConfig({});
  const newSecretsKey = randomBytes(32).toString('base64');
  const newJwtSecret = randomBytes(32).toString('base64url');
  const gateways: RunningGateway[] = [];
  let prisma: PrismaService;

  beforeAll(() => {
    prisma = new PrismaService(testConfig());
  });

  afterAll(async () => {
    // Back under the key the other suites use, whatever happened above.
    await resealSecrets(prisma, new SecretBox(demo.SECRETS_KEY, newSecretsKey)).catch(() => undefined);
    await prisma.$disconnect();
    await Promise.all(gateways.map((gateway) => gateway.close()));
  });

  async function gatewayWith(env: Record<string, string>) {
    const gateway = await startGateway(env);
    gateways.push(gateway);
    return gateway;
  }

  function get(gateway: RunningGateway, path: string, token: string) {
    return fetch(`${gateway.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  }

  it('keeps sessions and every stored secret working through a rotation, and drops the old keys after it', async () => {
    const before = await gatewayWith({});
    const token = (await authLogin({ client: before.client, body: ADMIN })).data!.accessToken;
    const created = await fetch(`${before.baseUrl}/vendor-accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        vendor: 'tikmatrix',
        name: `rotation-${randomUUID()}`,
        baseUrl: 'http://127.0.0.1:4104',
        credentials: {},
      }),
    });
    expect(created.status).toBe(201);
    const account = (await created.json()) as { id: string; webhookSecret: string };

    // Step 1: the new keys in, the old ones as *_PREVIOUS, on every process.
    const during = await gatewayWith({
      SECRETS_KEY: newSecretsKey,
      SECRETS_KEY_PREVIOUS: demo.SECRETS_KEY,
      JWT_SECRET: newJwtSecret,
      JWT_SECRET_PREVIOUS: demo.JWT_SECRET,
    });
    expect((await get(during, '/auth/me', token)).status).toBe(200);
    expect((await get(during, `/vendor-accounts/${account.id}`, token)).status).toBe(200);

    // Step 2: re-seal every stored secret under the new key.
    const counts = await resealSecrets(prisma, new SecretBox(newSecretsKey, demo.SECRETS_KEY));
    expect(counts.vendorAccounts).toBeGreaterThan(0);
    const onlyNew = new SecretBox(newSecretsKey);
    for (const row of await prisma.vendorAccount.findMany()) {
      expect(() => onlyNew.open(row.credentialsSealed)).not.toThrow();
      expect(() => onlyNew.open(row.webhookSecretSealed)).not.toThrow();
    }
    for (const row of await prisma.eventSubscription.findMany())
      expect(() => onlyNew.open(row.secretSealed)).not.toThrow();

    // Step 3: the previous keys out. Stored secrets open under the new key alone; old access tokens
    // are refused (their holders refresh: refresh tokens are not signed with JWT_SECRET).
    const after = await gatewayWith({ SECRETS_KEY: newSecretsKey, JWT_SECRET: newJwtSecret });
    expect((await get(after, '/auth/me', token)).status).toBe(401);
    const fresh = (await authLogin({ client: after.client, body: ADMIN })).data!.accessToken;
    expect((await get(after, `/vendor-accounts/${account.id}`, fresh)).status).toBe(200);
    const callback = await fetch(`${after.baseUrl}/webhooks/tikmatrix/${account.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fleetgate-webhook-secret': account.webhookSecret },
      body: '{}',
    });
    expect(callback.status).not.toBe(401);
    const forged = await fetch(`${after.baseUrl}/webhooks/tikmatrix/${account.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fleetgate-webhook-secret': 'not-the-secret' },
      body: '{}',
    });
    expect(forged.status).toBe(401);
    await fetch(`${after.baseUrl}/vendor-accounts/${account.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${fresh}` },
    });
  });
});
