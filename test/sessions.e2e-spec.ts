import { randomUUID } from 'node:crypto';
import { SessionRetention, SignInCache } from '@fleetgate/auth';
import { PrismaService } from '@fleetgate/persistence';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';

/**
 * Sessions and API keys end when they should: a reused refresh token ends its session, a session has
 * an absolute lifetime however often it is refreshed, API keys expire, die with a password change or
 * a force offline, and an admin can revoke a user's keys.
 */
const PASSWORD = 'session-pass-2026';
const ABSOLUTE_HOURS = 2;
const run = randomUUID().slice(0, 8);

describe('sessions and API keys end (e2e)', () => {
  let gateway: RunningGateway;
  let prisma: PrismaService;
  let adminToken: string;

  async function call(method: string, path: string, auth?: { token?: string; key?: string }, body?: unknown) {
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method,
      headers: {
        ...(auth?.token ? { authorization: `Bearer ${auth.token}` } : {}),
        ...(auth?.key ? { 'x-api-key': auth.key } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many routes, read field by field
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  }

  async function login(email: string, password = PASSWORD) {
    const { status, json } = await call('POST', '/auth/login', undefined, { email, password });
    expect(status).toBe(200);
    return json as { accessToken: string; refreshToken: string };
  }

  const refresh = (refreshToken: string) => call('POST', '/auth/refresh', undefined, { refreshToken });
  const me = (token: string) => call('GET', '/auth/me', { token });

  /** The session an access token names (its `sid` claim). */
  function sessionOf(accessToken: string): string {
    return (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
  }

  /** A user with a role holding these permissions (scope all), created by the super admin. */
  async function user(label: string, permissions: string[]) {
    const role = await call('POST', '/admin/roles', { token: adminToken }, {
      code: `${label}-${run}`,
      name: label,
      dataScope: 'all',
    });
    expect(role.status).toBe(201);
    await call('PUT', `/admin/roles/${role.json.id}/grants`, { token: adminToken }, { menuIds: [], permissions });
    const email = `${label}.${run}@example.com`;
    const created = await call('POST', '/admin/users', { token: adminToken }, {
      email,
      name: label,
      password: PASSWORD,
      roleIds: [role.json.id],
    });
    expect(created.status).toBe(201);
    return { id: created.json.id as string, email, ...(await login(email)) };
  }

  /** A user holding an API key for /metrics, and a way to tell whether the key still works. */
  async function keyHolder(label: string) {
    const holder = await user(label, ['api-keys:manage', 'metrics:read']);
    const created = await call('POST', '/api-keys', { token: holder.accessToken }, {
      name: label,
      permissions: ['metrics:read'],
    });
    expect(created.status).toBe(201);
    const key = created.json.key as string;
    const works = async () => (await call('GET', '/metrics', { key })).status === 200;
    expect(await works()).toBe(true);
    return { ...holder, key, keyId: created.json.id as string, works };
  }

  beforeAll(async () => {
    gateway = await startGateway({ SESSION_ABSOLUTE_TTL_HOURS: String(ABSOLUTE_HOURS) });
    prisma = gateway.app.get(PrismaService);
    adminToken = (await login(ADMIN.email, ADMIN.password)).accessToken;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  describe('refresh tokens', () => {
    it('ends the session when a rotated refresh token is used again', async () => {
      const holder = await user('reuse', ['devices:read']);
      const rotated = await refresh(holder.refreshToken);
      expect(rotated.status).toBe(200);
      expect((await me(rotated.json.accessToken)).status).toBe(200);

      // The old token, replayed (a thief's copy): refused, and the whole session ends with it.
      expect((await refresh(holder.refreshToken)).status).toBe(401);
      expect((await refresh(rotated.json.refreshToken)).status).toBe(401);
      expect((await me(rotated.json.accessToken)).status).toBe(401);
      expect((await me(holder.accessToken)).status).toBe(401);
      // Other sessions of the same user are not touched, and signing in again works.
      const again = await login(holder.email);
      expect((await me(again.accessToken)).status).toBe(200);
    });

    it('refuses to refresh a session past its absolute lifetime, however recently it was refreshed', async () => {
      const holder = await user('absolute', ['devices:read']);
      const sessionId = sessionOf(holder.accessToken);
      // Started just inside the horizon: a refresh still works, and its expiry stops at the horizon.
      const started = new Date(Date.now() - (ABSOLUTE_HOURS * 3_600_000 - 60_000));
      await prisma.refreshToken.update({ where: { id: sessionId }, data: { createdAt: started } });
      const inside = await refresh(holder.refreshToken);
      expect(inside.status).toBe(200);
      const row = await prisma.refreshToken.findUniqueOrThrow({ where: { id: sessionId } });
      expect(row.expiresAt.getTime()).toBeLessThanOrEqual(started.getTime() + ABSOLUTE_HOURS * 3_600_000);

      // Past the horizon: the refresh token and the access tokens of the session are refused.
      await prisma.refreshToken.update({
        where: { id: sessionId },
        data: { createdAt: new Date(Date.now() - ABSOLUTE_HOURS * 3_600_000 - 1_000) },
      });
      await gateway.app.get(SignInCache).invalidate(); // as above: time passing, written into the row
      expect((await refresh(inside.json.refreshToken)).status).toBe(401);
      expect((await me(inside.json.accessToken)).status).toBe(401);
    });

    it('purges sessions that ended before the cutoff (the worker\'s sessions.purge-expired), and no other', async () => {
      const holder = await user('purge', ['devices:read']);
      const live = sessionOf(holder.accessToken);
      const revoked = sessionOf((await login(holder.email)).accessToken);
      const expired = sessionOf((await login(holder.email)).accessToken);
      const endedRecently = sessionOf((await login(holder.email)).accessToken);
      const cutoff = new Date(Date.now() - 86_400_000);
      const before = new Date(cutoff.getTime() - 60_000);
      await prisma.refreshToken.update({ where: { id: revoked }, data: { revokedAt: before } });
      await prisma.refreshToken.update({ where: { id: expired }, data: { expiresAt: before } });
      await prisma.refreshToken.update({ where: { id: endedRecently }, data: { revokedAt: new Date() } });

      expect(await gateway.app.get(SessionRetention).purgeEndedBefore(cutoff)).toBeGreaterThanOrEqual(2);
      const left = await prisma.refreshToken.findMany({
        where: { id: { in: [live, revoked, expired, endedRecently] } },
        select: { id: true },
      });
      expect(left.map(({ id }) => id).sort()).toEqual([live, endedRecently].sort());
    });
  });

  describe('API keys', () => {
    it('carry an expiry: the default, a chosen one within the maximum, none past it', async () => {
      const holder = await user('expiry', ['api-keys:manage', 'metrics:read']);
      const auth = { token: holder.accessToken };
      const byDefault = await call('POST', '/api-keys', auth, { name: 'default', permissions: ['metrics:read'] });
      expect(byDefault.status).toBe(201);
      const days = (new Date(byDefault.json.expiresAt).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(89);
      expect(days).toBeLessThanOrEqual(90);

      const chosenAt = new Date(Date.now() + 7 * 86_400_000);
      const chosen = await call('POST', '/api-keys', auth, {
        name: 'chosen',
        permissions: ['metrics:read'],
        expiresAt: chosenAt.toISOString(),
      });
      expect(chosen.status).toBe(201);
      expect(new Date(chosen.json.expiresAt).getTime()).toBe(chosenAt.getTime());

      for (const expiresAt of [new Date(Date.now() - 60_000), new Date(Date.now() + 366 * 86_400_000)]) {
        const refused = await call('POST', '/api-keys', auth, {
          name: 'refused',
          permissions: ['metrics:read'],
          expiresAt: expiresAt.toISOString(),
        });
        expect(refused.status).toBe(400);
        expect(refused.json.error.details).toContainEqual(expect.objectContaining({ field: 'expiresAt' }));
      }
    });

    it('refuses a key past its expiry', async () => {
      const holder = await keyHolder('expired');
      await prisma.$executeRaw`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = ${holder.keyId}::uuid`;
      // The row was rewritten behind the services' back to stand for time passing; a gateway that
      // cached it keeps checking the expiry it read, so the cache is told, as a real change would.
      await gateway.app.get(SignInCache).invalidate();
      expect(await holder.works()).toBe(false);
    });

    it('revokes the user keys on a password change', async () => {
      const holder = await keyHolder('pwchange');
      expect(
        (await call('PATCH', `/admin/users/${holder.id}`, { token: adminToken }, { password: 'a-new-pass-2026' }))
          .status,
      ).toBe(200);
      expect(await holder.works()).toBe(false);
    });

    it('revokes the user keys on force offline and on disable', async () => {
      const offline = await keyHolder('offline');
      expect((await call('POST', `/admin/users/${offline.id}/offline`, { token: adminToken })).status).toBe(204);
      expect(await offline.works()).toBe(false);

      const disabled = await keyHolder('disabled');
      expect((await call('POST', `/admin/users/${disabled.id}/disable`, { token: adminToken })).status).toBe(200);
      expect((await call('POST', `/admin/users/${disabled.id}/enable`, { token: adminToken })).status).toBe(200);
      expect(await disabled.works()).toBe(false);
    });

    it('refuses an API key that would create, list or revoke API keys: that needs a signed-in user', async () => {
      const holder = await user('minter', ['api-keys:manage', 'metrics:read']);
      const parent = await call('POST', '/api-keys', { token: holder.accessToken }, {
        name: 'parent',
        permissions: ['api-keys:manage', 'metrics:read'],
      });
      expect(parent.status).toBe(201);
      const key = parent.json.key as string;
      const minted = await call('POST', '/api-keys', { key }, { name: 'child', permissions: ['metrics:read'] });
      expect(minted.status).toBe(403);
      expect(minted.json.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('signed-in user') });
      expect((await call('GET', '/api-keys', { key })).status).toBe(403);
      expect((await call('DELETE', `/api-keys/${parent.json.id}`, { key })).status).toBe(403);
      // Nothing was minted, and the signed-in user still manages the key.
      const listed = await call('GET', '/api-keys', { token: holder.accessToken });
      expect(listed.status).toBe(200);
      expect((listed.json as Array<{ id: string }>).map((row) => row.id)).toEqual([parent.json.id]);
      expect((await call('DELETE', `/api-keys/${parent.json.id}`, { token: holder.accessToken })).status).toBe(204);
      expect((await call('GET', '/metrics', { key })).status).toBe(401);
    });

    it("lets an admin holding api-keys:admin list and revoke a user's keys, and no one else", async () => {
      const holder = await keyHolder('revoked');
      const usersManager = await user('keys-usersmgr', ['users:manage', 'users:read']);
      expect(
        (await call('DELETE', `/admin/users/${holder.id}/api-keys`, { token: usersManager.accessToken })).status,
      ).toBe(403);
      expect(await holder.works()).toBe(true);

      const keysAdmin = await user('keys-admin', ['api-keys:admin']);
      const listed = await call('GET', `/admin/users/${holder.id}/api-keys`, { token: keysAdmin.accessToken });
      expect(listed.status).toBe(200);
      expect(listed.json.map((key: { id: string }) => key.id)).toEqual([holder.keyId]);
      expect(JSON.stringify(listed.json)).not.toContain(holder.key.slice('fgk_'.length + 13));

      const revoked = await call('DELETE', `/admin/users/${holder.id}/api-keys`, { token: keysAdmin.accessToken });
      expect(revoked.status).toBe(200);
      expect(revoked.json).toEqual({ revoked: 1 });
      expect(await holder.works()).toBe(false);
      // The user's own session is not ended by revoking their keys.
      expect((await me(holder.accessToken)).status).toBe(200);
    });
  });
});
