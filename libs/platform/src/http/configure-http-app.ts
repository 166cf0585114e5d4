import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ErrorEnvelopeFilter } from '../errors/error-envelope.filter';
import { createValidationPipe } from '../validation/envelope-validation.pipe';
import { mountOpenApi } from './openapi';

/**
 * What every Fleetgate HTTP app shares, applied in one place so tests boot the same app that ships:
 * the logger, the validation pipe, the error envelope, X-Request-Id on every answer, and /docs.
 */
export async function configureHttpApp(app: NestFastifyApplication): Promise<void> {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  mountOpenApi(app);
}
