import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

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

export function loggerParams(level: string): Params {
  return {
    // nestjs-pino's default route pattern ('{/*splat}') matches no request under NestJS 12's Fastify
    // adapter, which left the gateway without request logs; '*path' matches every one.
    forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // The id comes from Fastify's genReqId (requestIdFor), which stored it on the raw request.
      genReqId: (request) => (request as { id?: string }).id ?? 'unknown',
      customAttributeKeys: { reqId: 'requestId' },
      serializers: {
        req: (request: { id?: string; method?: string; url?: string; headers?: Record<string, unknown> }) => ({
          id: request.id,
          method: request.method,
          url: loggableUrl(request.url),
          headers: request.headers,
        }),
      },
      autoLogging: { ignore: (request) => (request.url ?? '').startsWith('/health') || request.url === '/metrics' },
    },
  };
}
