import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The dashboard every queue viewer sees: bull-board in read-only mode. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';
/** The same dashboard with its buttons (retry, clean, promote, remove...), for queue managers only. */
export const QUEUE_MANAGEMENT_PATH = '/admin/queues-manage';

export type QueueDashboardAccess = 'view' | 'manage';

const READS = new Set(['GET', 'HEAD']);

/**
 * Mounts bull-board's dashboard over every queue twice: read-only at /admin/queues, and able to
 * change jobs and queues at /admin/queues-manage. bull-board's read-only mode is chosen per queue
 * adapter when the board is built, not per caller, hence two boards. They are Fastify plugins, not
 * Nest routes, so the global guard does not see them: `authorize` runs on each of their requests
 * instead and answers with the API's own 401/403 envelope. The read-only board also refuses every
 * request but a read itself, whatever bull-board would allow.
 */
export async function mountQueueDashboard(
  fastify: FastifyInstance,
  queues: Queue[],
  authorize: (request: FastifyRequest, reply: FastifyReply, access: QueueDashboardAccess) => Promise<boolean>,
): Promise<void> {
  await mountBoard(fastify, queues, QUEUE_DASHBOARD_PATH, 'view', authorize);
  await mountBoard(fastify, queues, QUEUE_MANAGEMENT_PATH, 'manage', authorize);
}

async function mountBoard(
  fastify: FastifyInstance,
  queues: Queue[],
  path: string,
  access: QueueDashboardAccess,
  authorize: (request: FastifyRequest, reply: FastifyReply, access: QueueDashboardAccess) => Promise<boolean>,
): Promise<void> {
  const readOnlyMode = access === 'view';
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(path);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode })), serverAdapter });
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        if (!(await authorize(request, reply, access))) return reply;
        if (readOnlyMode && !READS.has(request.method)) {
          await reply.code(403).send({
            error: {
              code: 'forbidden',
              message: `The queue dashboard at ${QUEUE_DASHBOARD_PATH} is read-only; changes are made at ${QUEUE_MANAGEMENT_PATH} with the permission queues:manage`,
              requestId: request.id,
            },
          });
          return reply;
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: path },
  );
}
