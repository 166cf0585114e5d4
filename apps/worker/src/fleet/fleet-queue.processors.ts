import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueName } from '@fleetgate/queues';
import { JobRouter } from '../job-router';

/** Dispatch and polls: I/O-bound on vendors, so many at once; each account's rate limit still holds. */
@Processor(QueueName.Tasks, { concurrency: 32 })
export class TasksQueueProcessor extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
    router.consume(QueueName.Tasks);
  }

  process(job: Job): Promise<unknown> {
    return this.router.route(job);
  }
}

@Processor(QueueName.Inbound, { concurrency: 32 })
export class InboundQueueProcessor extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
    router.consume(QueueName.Inbound);
  }

  process(job: Job): Promise<unknown> {
    return this.router.route(job);
  }
}
