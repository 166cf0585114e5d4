import type { ChildProcess } from 'node:child_process';
import { createArmcloudSimulator, DEMO_CREDENTIALS, SimulatorServer } from '@fleetgate/simulators';
import { spawnApp, spawnGateway, stopApp, WORKER_MAIN } from './support/app-process';
import { ADMIN } from './support/gateway-harness';
import { testConfig } from './support/test-env';

/**
 * The gateway and the worker as built, as their own processes, logging everything (LOG_LEVEL=trace),
 * through a session that handles every kind of secret: passwords, access and refresh tokens, API
 * keys, vendor credentials (and the vendor calls they sign), webhook secrets in headers and query
 * strings, subscription secrets. The logs must hold none of them.
 */
describe('logs hold no secrets (e2e, gateway and worker processes at trace level)', () => {
  const output: string[] = [];
  const processes: ChildProcess[] = [];
  let sim: SimulatorServer;
  let baseUrl: string;
  const env = { LOG_LEVEL: 'trace', REDIS_PREFIX: `fg-logs-${process.pid}` };
  const keep = (chunk: string) => output.push(chunk);

  async function call(
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : {}) as unknown };
  }

  beforeAll(async () => {
    sim = new SimulatorServer(createArmcloudSimulator, { fleetSize: 5, timeScale: 0, seed: 3 });
    const simUrl = await sim.listen(0);
    const gateway = await spawnGateway(env, keep);
    processes.push(gateway.child);
    baseUrl = gateway.url;
    processes.push(spawnApp(WORKER_MAIN, env, keep));
    (globalThis as { simUrl?: string }).simUrl = simUrl;
  });

  afterAll(async () => {
    for (const child of processes) await stopApp(child);
    await sim?.close();
  });

  it('never writes a secret into the logs', async () => {
    const secrets: Record<string, string> = {};
    const config = testConfig(env);
    secrets.jwtSecret = config.JWT_SECRET;
    secrets.secretsKey = config.SECRETS_KEY;
    secrets.adminPassword = ADMIN.password;
    secrets.wrongPassword = 'wrong-but-secret-1';
    await call('POST', '/auth/login', { body: { email: ADMIN.email, password: secrets.wrongPassword } });
    const session = (await call('POST', '/auth/login', { body: ADMIN })).json as {
      accessToken: string;
      refreshToken: string;
    };
    secrets.accessToken = session.accessToken;
    secrets.refreshToken = session.refreshToken;
    const refreshed = (await call('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } })).json as {
      accessToken: string;
      refreshToken: string;
    };
    secrets.refreshToken2 = refreshed.refreshToken;
    const token = refreshed.accessToken;

    const key = (await call('POST', '/api-keys', { token, body: { name: 'logs', permissions: ['devices:read'] } }))
      .json as { key: string };
    secrets.apiKey = key.key;
    expect((await call('GET', '/devices', { headers: { 'x-api-key': key.key } })).status).toBe(200);

    const credentials = DEMO_CREDENTIALS.armcloud;
    secrets.vendorSecret = credentials.secretAccessKey;
    const account = (
      await call('POST', '/vendor-accounts', {
        token,
        body: {
          vendor: 'armcloud',
          name: `logs-${Date.now()}`,
          baseUrl: (globalThis as { simUrl?: string }).simUrl,
          credentials,
        },
      })
    ).json as { id: string; webhookSecret: string; webhookPath: string };
    secrets.webhookSecret = account.webhookSecret;
    expect((await call('POST', `/vendor-accounts/${account.id}/test`, { token })).status).toBeLessThan(300);
    await call('POST', '/devices/sync', { token, body: { accountId: account.id } });
    let devices: Array<{ id: string }> = [];
    for (let i = 0; i < 200 && devices.length === 0; i++) {
      devices = (
        (await call('GET', `/devices?accountId=${account.id}`, { token })).json as { items: Array<{ id: string }> }
      ).items;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(devices.length).toBeGreaterThan(0);
    const task = (
      await call('POST', '/tasks', {
        token,
        body: { operation: { type: 'device.reboot', params: {} }, targets: { deviceIds: [devices[0].id] } },
      })
    ).json as { id: string };
    for (let i = 0; i < 200; i++) {
      const detail = (await call('GET', `/tasks/${task.id}`, { token })).json as {
        targetRows: Array<{ vendorTaskId: string | null }>;
      };
      if (detail.targetRows?.[0]?.vendorTaskId) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const callback = { taskBusinessType: 1000, padCode: 'AC0001', taskId: 777, taskStatus: 3 };
    await call('POST', account.webhookPath, {
      body: callback,
      headers: { 'x-fleetgate-webhook-secret': account.webhookSecret },
    });
    await call('POST', `${account.webhookPath}?token=${account.webhookSecret}`, { body: { ...callback, taskId: 778 } });
    const subscription = (
      await call('POST', '/event-subscriptions', {
        token,
        body: { name: `logs-${Date.now()}`, url: 'http://127.0.0.1:9/hook' },
      })
    ).json as { secret: string };
    secrets.subscriptionSecret = subscription.secret;
    await call('POST', '/auth/logout', { token });
    // Give the processes a moment to write what they buffered.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const logs = output.join('');
    // The scan means something only if the logs saw this session: both processes at work, every request.
    expect(logs).toContain('device inventory synced');
    expect(logs).toContain('"url":"/auth/login"');
    expect(logs).toContain(`"url":"${account.webhookPath}?token=[redacted]"`);
    expect(logs).toContain('"x-fleetgate-webhook-secret":"[redacted]"');
    const leaked = Object.entries(secrets)
      .filter(([, value]) => value && logs.includes(value))
      .map(([name]) => name);
    expect(leaked).toEqual([]);
  });
});
