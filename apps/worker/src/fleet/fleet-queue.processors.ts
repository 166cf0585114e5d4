import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueName } from '@fleetgate/queues';
import { JobRouter } from '../job-router';

/**
 * How long a job's lock lives without renewal, and how often stalled jobs are looked for: a job of a
 * worker that died is run again by another worker after about this long. Read when this file loads,
 * because BullMQ takes it from the decorator; tests that kill workers set it low.
 */
const LOCK_DURATION_MS = Number(process.env.WORKER_LOCK_DURATION_MS) || 30_000;
const RECOVERY = { lockDuration: LOCK_DURATION_MS, stalledInterval: LOCK_DURATION_MS };

/**
 * A BullMQ consumer of one queue that hands every job to the JobRouter (which refuses to start when a
 * job name of the queue has no handler). One class per queue, as @nestjs/bullmq wants.
 */
function routedProcessor(queue: QueueName, concurrency: number) {
  @Processor(queue, { concurrency, ...RECOVERY })
  class RoutedProcessor extends WorkerHost {
    constructor(readonly router: JobRouter) {
      super();
      router.consume(queue);
    }

    process(job: Job): Promise<unknown> {
      return this.router.route(job);
    }
  }
  // Names the class after its queue in Nest's logs and errors.
  Object.defineProperty(RoutedProcessor, 'name', { value: `${queue[0].toUpperCase()}${queue.slice(1)}QueueProcessor` });
  return RoutedProcessor;
}

/** Dispatch and polls: I/O-bound on vendors, so many at once; each account's rate limit still holds. */
export const TasksQueueProcessor = routedProcessor(QueueName.Tasks, 32);
export const InboundQueueProcessor = routedProcessor(QueueName.Inbound, 32);
export const OutboundQueueProcessor = routedProcessor(QueueName.Outbound, 16);
