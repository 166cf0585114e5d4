import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueName } from '@fleetgate/queues';
import { JobRouter } from '../job-router';

@Processor(QueueName.Maintenance, { concurrency: 2 })
export class MaintenanceQueueProcessor extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
    router.consume(QueueName.Maintenance);
  }

  process(job: Job): Promise<unknown> {
    return this.router.route(job);
  }
}
