import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from './metrics.registry';

/**
 * Times every request by its route template (`/devices/:id`, not the concrete URL, so the label
 * set stays small). Unmatched routes are counted under `unmatched`.
 */
export function recordHttpMetrics(fastify: FastifyInstance, metrics: MetricsRegistry): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpRequestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
