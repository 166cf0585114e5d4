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

/** Dispatch and polls: I/O-bound on vendors, so many at once; each account's rate limit still holds. */
@Processor(QueueName.Tasks, { concurrency: 32, ...RECOVERY })
export class TasksQueueProcessor extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
    router.consume(QueueName.Tasks);
  }

  process(job: Job): Promise<unknown> {
    return this.router.route(job);
  }
}

@Processor(QueueName.Inbound, { concurrency: 32, ...RECOVERY })
export class InboundQueueProcessor extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
    router.consume(QueueName.Inbound);
  }

  process(job: Job): Promise<unknown> {
    return this.router.route(job);
  }
}

@Processor(QueueName.Outbound, { concurrency: 16, ...RECOVERY })
export class OutboundQueueProcessor extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
    router.consume(QueueName.Outbound);
  }

  process(job: Job): Promise<unknown> {
    return this.router.route(job);
  }
}
