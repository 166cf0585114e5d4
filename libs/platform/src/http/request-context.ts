import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

/** The id of the request being served, for the log lines written while it runs (see loggerOptions). */
export const requestContext = new AsyncLocalStorage<string>();

/**
 * Runs each request in its context: from its arrival, and again once its body is read (a body arrives in
 * the socket's own context, which would lose it), so that the guard, pipes, handler and what they await
 * see the request's id.
 */
export function bindRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => requestContext.run(request.id, done));
  fastify.addHook('preValidation', (request, _reply, done) => requestContext.run(request.id, done));
}
