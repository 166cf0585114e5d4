import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Mounts bull-board's dashboard over every queue at /admin/queues. It is a Fastify plugin, not a Nest
 * route, so the global guard does not see it: `authorize` runs on each of its requests instead and
 * answers with the API's own 401/403 envelope.
 */
export async function mountQueueDashboard(
  fastify: FastifyInstance,
  queues: Queue[],
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>,
): Promise<void> {
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        if (!(await authorize(request, reply))) return reply;
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
}
