import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@fleetgate/config';
import { authLogin } from '@fleetgate/sdk';
import { createClient, createConfig, type Client } from '@fleetgate/sdk/client';
import { createGateway } from '../../apps/gateway/src/create-gateway';
import { startRoundRobinProxy } from './round-robin-proxy';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fleetgate_test';
export const ADMIN = { email: 'admin@fleetgate.local', password: 'fleetgate-admin' };

export interface RunningGateway {
  app: NestFastifyApplication;
  baseUrl: string;
  /** The generated SDK's client, pointed at this gateway. */
  client: Client;
  /** A client that sends this bearer token on every request. */
  as(accessToken: string): Client;
  close(): Promise<void>;
}

/** The configuration tests run the apps with: the test database, quiet logs, and the test's own overrides. */
export function testConfig(env: Record<string, string> = {}) {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // The simulators and test receivers listen on loopback.
    ALLOW_INTERNAL_URLS: 'true',
    // Suites sign in many users from one address; test/security.e2e-spec.ts tests the limit itself.
    LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
    ...env,
  });
}

/**
 * How many gateways (and workers) each suite runs: 1, or 2 for the scale-out run
 * (`npm run test:scale-out`), where two gateways sit behind a round-robin proxy and every worker a
 * suite starts has a twin.
 */
export const E2E_INSTANCES = Number(process.env.E2E_INSTANCES ?? 1);

/** Boots the real gateway (the one main.ts runs) on a free port against the real PostgreSQL and Redis. */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = testConfig(env);
  const apps: NestFastifyApplication[] = [];
  for (let i = 0; i < E2E_INSTANCES; i++) {
    const app = await createGateway(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
  }
  const ports = apps.map((app) => (app.getHttpServer().address() as { port: number }).port);
  const proxy = apps.length > 1 ? await startRoundRobinProxy(ports) : undefined;
  const baseUrl = proxy?.url ?? `http://127.0.0.1:${ports[0]}`;
  const client = createClient(createConfig({ baseUrl }));
  return {
    app: apps[0],
    baseUrl,
    client,
    as: (accessToken) => createClient(createConfig({ baseUrl, headers: { authorization: `Bearer ${accessToken}` } })),
    close: async () => {
      await proxy?.close();
      for (const app of apps) await app.close();
    },
  };
}

/** Signs in as the administrator; answers the access token. */
export async function adminToken(gateway: RunningGateway): Promise<string> {
  const { data } = await authLogin({ client: gateway.client, body: ADMIN });
  if (!data) throw new Error('the administrator could not sign in');
  return data.accessToken;
}
