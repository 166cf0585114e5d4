import type { Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import { requestContext } from './request-context';

/**
 * Paths that pino replaces with "[redacted]" wherever they occur in a log line: credentials in
 * headers, and any field that holds a secret in a logged object.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["x-gizwits-user-token"]',
  'req.headers["no_limit_token"]',
  'req.headers["x-fleetgate-webhook-secret"]',
  'req.headers["x-fleetgate-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.secret',
  '*.secretKey',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.apiKey',
  '*.credentials',
  '*.dataSecret',
  '*.*.password',
  '*.*.secret',
  '*.*.token',
  '*.*.credentials',
];

/** Query parameters that carry credentials (webhook tokens, signed download links). */
const SECRET_QUERY = /([?&](?:token|signature|sig|key|secret)=)[^&#]*/gi;

/** A URL as logs may show it: credential-bearing query values replaced. */
export function loggableUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY, '$1[redacted]');
}

/** The shape of a request in log lines; it takes Node's request or Fastify's (both carry the request id). */
function loggableRequest(request: { id?: string; method?: string; url?: string; headers?: Record<string, unknown> }) {
  return { id: request.id, method: request.method, url: loggableUrl(request.url), headers: request.headers };
}

/** The shape of an answer in log lines, as pino-http wrote it. */
function loggableResponse(response: { statusCode?: number; getHeaders?: () => Record<string, unknown> }) {
  return { statusCode: response.statusCode, headers: response.getHeaders?.() ?? {} };
}

/** Every process's pino options: the level, redaction, and how requests and answers look in a line. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: loggableRequest, res: loggableResponse },
    // A line written while a request runs names it, whichever logger wrote it; the request's own line
    // names it in req.id.
    mixin: (line: { req?: unknown }) => {
      const requestId = line.req === undefined ? requestContext.getStore() : undefined;
      return requestId === undefined ? {} : { requestId };
    },
  };
}

/**
 * nestjs-pino's parameters: the one root logger of the process, behind Nest's logger, writing to standard
 * output asynchronously (pino's default sonic-boom destination: lines that come while a write is under
 * way go out together in the next, and what is left is flushed when the process exits). It mounts no
 * middleware (forRoutes is empty): a request's line is written by logRequests, from a Fastify hook,
 * since pino-http's middleware made a child logger, serialized and redacted the request and opened an
 * AsyncLocalStorage context (whose promise hooks every promise then pays) for every request, logged or not.
 */
export function loggerParams(level: string): Params {
  return {
    forRoutes: [],
    // The serializers take requests and answers as logRequests passes them, so pino-http must not wrap them.
    pinoHttp: { ...loggerOptions(level), wrapSerializers: false },
  };
}
