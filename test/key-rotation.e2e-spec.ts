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

  it('rotates an account’s webhook secret with a grace period for the old one, and a subscription’s secret', async () => {
    const gateway = await gatewayWith({});
    const token = (await authLogin({ client: gateway.client, body: ADMIN })).data!.accessToken;
    const post = (
      path: string,
      body: unknown,
      headers: Record<string, string> = { authorization: `Bearer ${token}` },
    ) =>
      fetch(`${gateway.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const created = await post('/vendor-accounts', {
      vendor: 'tikmatrix',
      name: `webhook-rotation-${randomUUID()}`,
      baseUrl: 'http://127.0.0.1:4104',
      credentials: {},
    });
    const account = (await created.json()) as { id: string; webhookSecret: string };
    const callbackStatus = async (secret: string) =>
      (await post(`/webhooks/tikmatrix/${account.id}`, {}, { 'x-fleetgate-webhook-secret': secret })).status;

    const rotated = await post(`/vendor-accounts/${account.id}/webhook-secret`, {});
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as { webhookSecret: string; previousValidUntil: string };
    expect(second.webhookSecret).not.toBe(account.webhookSecret);
    expect(new Date(second.previousValidUntil).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    // Both are accepted during the grace period: the 422 (TikMatrix sends no callbacks) comes after the secret check.
    expect(await callbackStatus(second.webhookSecret)).toBe(422);
    expect(await callbackStatus(account.webhookSecret)).toBe(422);
    expect(await callbackStatus('not-the-secret')).toBe(401);

    const ended = await post(`/vendor-accounts/${account.id}/webhook-secret`, { graceHours: 0 });
    const third = (await ended.json()) as { webhookSecret: string; previousValidUntil?: string };
    expect(third.previousValidUntil).toBeUndefined();
    expect(await callbackStatus(third.webhookSecret)).toBe(422);
    expect(await callbackStatus(second.webhookSecret)).toBe(401);
    expect(await callbackStatus(account.webhookSecret)).toBe(401);
    expect((await post(`/vendor-accounts/${account.id}/webhook-secret`, { graceHours: 1000 })).status).toBe(400);

    const subscription = (await (
      await post('/event-subscriptions', { name: `rotation-${randomUUID()}`, url: 'http://127.0.0.1:9/hook' })
    ).json()) as {
      id: string;
      secret: string;
    };
    const renewed = await post(`/event-subscriptions/${subscription.id}/secret`, {});
    expect(renewed.status).toBe(200);
    const { secret } = (await renewed.json()) as { secret: string };
    expect(secret).not.toBe(subscription.secret);
    const row = await prisma.eventSubscription.findUniqueOrThrow({ where: { id: subscription.id } });
    expect(new SecretBox(demo.SECRETS_KEY).open(row.secretSealed)).toBe(secret);
    await prisma.eventSubscription.delete({ where: { id: subscription.id } });
    await prisma.vendorAccount.delete({ where: { id: account.id } });
  });

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

  it('re-sealing does not undo a secret changed between its read and its write', async () => {
    const gateway = await gatewayWith({});
    const token = (await authLogin({ client: gateway.client, body: ADMIN })).data!.accessToken;
    const created = await fetch(`${gateway.baseUrl}/vendor-accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        vendor: 'tikmatrix',
        name: `reseal-race-${randomUUID()}`,
        baseUrl: 'http://127.0.0.1:4104',
        credentials: {},
      }),
    });
    const account = (await created.json()) as { id: string; webhookSecret: string };
    // A webhook-secret rotation lands after the re-seal has read every account, before it writes this one.
    const rotatedMeanwhile = new SecretBox(demo.SECRETS_KEY).seal('rotated-meanwhile');
    let raced = false;
    const vendorAccount = {
      findMany: async (args: Parameters<PrismaService['vendorAccount']['findMany']>[0]) => {
        const rows = await prisma.vendorAccount.findMany(args);
        if (!raced) {
          raced = true;
          await prisma.vendorAccount.update({
            where: { id: account.id },
            data: { webhookSecretSealed: rotatedMeanwhile },
          });
        }
        return rows;
      },
      findUnique: (args: Parameters<PrismaService['vendorAccount']['findUnique']>[0]) =>
        prisma.vendorAccount.findUnique(args),
      updateMany: (args: Parameters<PrismaService['vendorAccount']['updateMany']>[0]) =>
        prisma.vendorAccount.updateMany(args),
      update: (args: Parameters<PrismaService['vendorAccount']['update']>[0]) => prisma.vendorAccount.update(args),
    } as unknown as PrismaService['vendorAccount'];
    try {
      await resealSecrets(
        { vendorAccount, eventSubscription: prisma.eventSubscription },
        new SecretBox(newSecretsKey, demo.SECRETS_KEY),
      );
      expect(raced).toBe(true);
      const row = await prisma.vendorAccount.findUniqueOrThrow({ where: { id: account.id } });
      // The rotation's secret, re-sealed under the new key: neither reverted nor left under the old key.
      expect(new SecretBox(newSecretsKey).open(row.webhookSecretSealed)).toBe('rotated-meanwhile');
    } finally {
      await resealSecrets(prisma, new SecretBox(demo.SECRETS_KEY, newSecretsKey));
      await prisma.vendorAccount.delete({ where: { id: account.id } });
    }
  });
});
