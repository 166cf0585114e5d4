import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's genReqId: keeps a caller's X-Request-Id when it is sane, otherwise makes one. The id is
 * also put on the raw request, where pino-http picks it up, so every log line of the request has it.
 */
export function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  const id = typeof offered === 'string' && ACCEPTED_ID.test(offered) ? offered : randomUUID();
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}
