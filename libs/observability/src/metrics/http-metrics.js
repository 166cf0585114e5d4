"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.recordHttpMetrics = recordHttpMetrics;
/**
 * Times every request by its route template (`/devices/:id`, not the concrete URL, so the label
 * set stays small). Unmatched routes are counted under `unmatched`.
 */
function recordHttpMetrics(fastify, metrics) {
    fastify.addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions?.url ?? 'unmatched';
        metrics.httpRequestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
}
//# sourceMappingURL=http-metrics.js.map