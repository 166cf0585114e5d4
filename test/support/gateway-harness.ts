import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { authLogin, type Client, createClient, createConfig } from '@fleetgate/sdk';
import { createGateway } from '../../apps/gateway/src/create-gateway';
import { spawnGateway, stopApp } from './app-process';
import { startRoundRobinProxy } from './round-robin-proxy';
import { E2E_INSTANCES, testConfig } from './test-env';

export { E2E_INSTANCES, TEST_DATABASE_URL, testConfig } from './test-env';
export const ADMIN = { email: 'admin@fleetgate.local', password: 'fleetgate-admin' };

export interface RunningGateway {
  /** The gateway in this process: tests reach its services (PrismaService and others) through it. */
  app: NestFastifyApplication;
  baseUrl: string;
  /** The generated SDK's client, pointed at this gateway. */
  client: Client;
  /** A client that sends this bearer token on every request. */
  as(accessToken: string): Client;
  close(): Promise<void>;
}

/**
 * Boots the real gateway (the one main.ts runs) on a free port against the real PostgreSQL and Redis.
 * In the scale-out run its twins are the built gateway in OS processes of their own, and the base URL
 * is a round-robin proxy in front of them all, so that no two consecutive calls share a process.
 */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const app = await createGateway(testConfig(env));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const twins = await Promise.all(Array.from({ length: E2E_INSTANCES - 1 }, () => spawnGateway(env)));
  const ownUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const proxy = twins.length ? await startRoundRobinProxy([ownUrl, ...twins.map((twin) => twin.url)]) : undefined;
  const baseUrl = proxy?.url ?? ownUrl;
  const client = createClient(createConfig({ baseUrl }));
  return {
    app,
    baseUrl,
    client,
    as: (accessToken) => createClient(createConfig({ baseUrl, headers: { authorization: `Bearer ${accessToken}` } })),
    close: async () => {
      await proxy?.close();
      await Promise.all(twins.map((twin) => stopApp(twin.child)));
      await app.close();
    },
  };
}

/** Signs in as the administrator; answers the access token. */
export async function adminToken(gateway: RunningGateway): Promise<string> {
  const { data } = await authLogin({ client: gateway.client, body: ADMIN });
  if (!data) throw new Error('the administrator could not sign in');
  return data.accessToken;
}
