import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** Probes and scrapes come every few seconds and would drown the requests worth reading. */
function unlogged(url: string): boolean {
  return url.startsWith('/health') || url === '/metrics';
}

/**
 * One line per request, at info, once its answer is sent, with the fields pino-http wrote: `req` (id,
 * method, url without credentials, headers with credentials redacted), `res` (status), `responseTime`
 * in ms, and `err` when the answer is a 5xx. A request whose client went away before its answer gets a
 * line too ("request aborted", without `res`: none was sent). Nothing is made for a request unless
 * its line is written.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (logger.isLevelEnabled('info') && !unlogged(request.url)) logAnswered(logger, request, reply);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    if (logger.isLevelEnabled('info') && !unlogged(request.url)) logger.info({ req: request.raw }, 'request aborted');
    done();
  });
}

function logAnswered(logger: Logger, request: FastifyRequest, reply: FastifyReply): void {
  const responseTime = Math.round(reply.elapsedTime);
  if (reply.statusCode >= 500) {
    const err = new Error(`failed with status code ${reply.statusCode}`);
    logger.info({ req: request.raw, res: reply.raw, err, responseTime }, 'request errored');
  } else {
    logger.info({ req: request.raw, res: reply.raw, responseTime }, 'request completed');
  }
}
