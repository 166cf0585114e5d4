import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { FleetgateConfig } from '@fleetgate/config';
import { QueueName } from '@fleetgate/queues';
import { JobRouter } from '../job-router';

/** How a queue's consumer takes back the jobs of a worker that died: BullMQ's lock settings. */
interface StalledJobRecovery {
  lockDuration: number;
  stalledInterval: number;
}

/**
 * A BullMQ consumer of one queue that hands every job to the JobRouter (which refuses to start when a
 * job name of the queue has no handler). One class per queue, as @nestjs/bullmq wants.
 */
function routedProcessor(queue: QueueName, concurrency: number, recovery: StalledJobRecovery) {
  @Processor(queue, { concurrency, ...recovery })
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

/**
 * The consumers of the fleet queues. Built from the configuration because BullMQ takes a worker's
 * options from the @Processor decorator: a job's lock lives WORKER_LOCK_DURATION_MS without renewal,
 * and stalled jobs are looked for as often, so a job of a worker that died runs again on another
 * after about that long.
 */
export function fleetQueueProcessors(config: Pick<FleetgateConfig, 'WORKER_LOCK_DURATION_MS'>) {
  const recovery = { lockDuration: config.WORKER_LOCK_DURATION_MS, stalledInterval: config.WORKER_LOCK_DURATION_MS };
  return [
    // Dispatch and polls: I/O-bound on vendors, so many at once; each account's rate limit still holds.
    routedProcessor(QueueName.Tasks, 32, recovery),
    routedProcessor(QueueName.Inbound, 32, recovery),
    routedProcessor(QueueName.Outbound, 16, recovery),
  ];
}
