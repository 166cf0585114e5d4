import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { ErrorEnvelopeFilter } from '../errors/error-envelope.filter';
import { createValidationPipe } from '../validation/envelope-validation.pipe';
import { mountOpenApi } from './openapi';
import { bindRequestContext } from './request-context';
import { logRequests } from './request-log';

/**
 * What every Fleetgate HTTP app shares, applied in one place so tests boot the same app that ships:
 * the logger and a log line per request, the validation pipe, the error envelope, X-Request-Id on every
 * answer, and /docs.
 */
export async function configureHttpApp(
  app: NestFastifyApplication,
  options: { maxUploadBytes?: number } = {},
): Promise<void> {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // Multipart only where a route reads it (uploads); files stream to disk, never into memory whole.
  await app.register(multipart as never, { limits: { fileSize: options.maxUploadBytes ?? 1024 ** 3, files: 1 } });
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  bindRequestContext(fastify);
  logRequests(fastify, PinoLogger.root);
  mountOpenApi(app);
}
