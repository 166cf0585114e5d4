import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthenticationGuard, holds, Permission } from '@fleetgate/auth';
import { FleetgateConfig } from '@fleetgate/config';
import { recordHttpMetrics, MetricsRegistry } from '@fleetgate/observability';
import { migrateDatabase } from '@fleetgate/persistence';
import { configureWebhookRoutes, WebhookRateLimiter, WebhooksController } from '@fleetgate/fleet';
import { answerClientError, answerFrameworkError, configureHttpApp, requestIdFor } from '@fleetgate/platform';
import { JobProducer, mountQueueDashboard } from '@fleetgate/queues';
import { GatewayModule } from './gateway.module';

/**
 * Builds the gateway exactly as it ships; main.ts listens on it, and the e2e tests boot it on a
 * free port. Migrates the database first when MIGRATE_ON_START is on.
 */
export async function createGateway(config: FleetgateConfig): Promise<NestFastifyApplication> {
  if (config.MIGRATE_ON_START) await migrateDatabase(config.DATABASE_URL);
  // maxParamLength: a long path parameter reaches the route's own check (a 400 in the envelope), not Fastify's bare 414.
  const adapter = new FastifyAdapter({
    genReqId: requestIdFor,
    trustProxy: (_address: string, hop: number) => hop < config.TRUST_PROXY_HOPS,
    bodyLimit: 10 * 1024 * 1024,
    routerOptions: { maxParamLength: 2_000 },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  configureWebhookRoutes(adapter.getInstance(), {
    maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    // Resolved at the first webhook request, once the app below exists.
    limiter: () => app.get(WebhookRateLimiter),
    controller: () => app.get(WebhooksController),
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Signed vendor callbacks are checked over the bytes that were sent (X-Fleetgate-Signature).
    rawBody: true,
  });
  const fastify = app.getHttpAdapter().getInstance();
  recordHttpMetrics(fastify, app.get(MetricsRegistry));
  const guard = app.get(AuthenticationGuard);
  await mountQueueDashboard(fastify, app.get(JobProducer).allQueues(), async (request, reply, access) => {
    const principal = await guard.principalOf(request);
    // Managing queues includes seeing them; seeing them never includes managing them.
    const allowed = principal
      ? holds(principal, Permission.QueuesManage) || (access === 'view' && holds(principal, Permission.QueuesAdmin))
      : false;
    const needed = access === 'view' ? Permission.QueuesAdmin : Permission.QueuesManage;
    const refusal = !principal
      ? { status: 401, code: 'unauthorized', message: 'Authentication is required' }
      : !allowed
        ? { status: 403, code: 'forbidden', message: `This route needs the permission ${needed}` }
        : undefined;
    if (!refusal) return true;
    await reply
      .code(refusal.status)
      .send({ error: { code: refusal.code, message: refusal.message, requestId: request.id } });
    return false;
  });
  await configureHttpApp(app, { maxUploadBytes: config.ARTIFACT_MAX_BYTES });
  return app;
}
