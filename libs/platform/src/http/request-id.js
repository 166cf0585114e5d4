"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.requestIdFor = requestIdFor;
const node_crypto_1 = require("node:crypto");
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * Fastify's genReqId: keeps a caller's X-Request-Id when it is sane, otherwise makes one. The id is
 * also put on the raw request, where pino-http picks it up, so every log line of the request has it.
 */
function requestIdFor(request) {
    const offered = request.headers['x-request-id'];
    const id = typeof offered === 'string' && ACCEPTED_ID.test(offered) ? offered : (0, node_crypto_1.randomUUID)();
    request.id = id;
    return id;
}
//# sourceMappingURL=request-id.js.map