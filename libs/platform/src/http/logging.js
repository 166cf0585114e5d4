"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.REDACTED_PATHS = void 0;
exports.loggerParams = loggerParams;
/**
 * Paths that pino replaces with "[redacted]" wherever they occur in a log line: credentials in
 * headers, and any field that holds a secret in a logged object.
 */
exports.REDACTED_PATHS = [
    'req.headers.authorization',
    'req.headers["x-api-key"]',
    'req.headers.cookie',
    'req.headers["x-gizwits-user-token"]',
    'req.headers["no_limit_token"]',
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
function loggerParams(level) {
    return {
        pinoHttp: {
            level,
            redact: { paths: exports.REDACTED_PATHS, censor: '[redacted]' },
            // The id comes from Fastify's genReqId (requestIdFor), which stored it on the raw request.
            genReqId: (request) => request.id ?? 'unknown',
            customAttributeKeys: { reqId: 'requestId' },
            serializers: {
                req: (request) => ({
                    id: request.id,
                    method: request.method,
                    url: request.url,
                    headers: request.headers,
                }),
            },
            autoLogging: { ignore: (request) => (request.url ?? '').startsWith('/health') || request.url === '/metrics' },
        },
    };
}
//# sourceMappingURL=logging.js.map