import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { JOB_QUEUE, type JobName, type JobPayloads, QueueName } from './job-catalog';

/**
 * The one way to enqueue: typed by job name, routed to the job's queue. A jobId makes the enqueue
 * idempotent (BullMQ keeps one job per id), which every caller that may retry must pass.
 */
@Injectable()
export class JobProducer {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.Tasks) tasks: Queue,
    @InjectQueue(QueueName.Inbound) inbound: Queue,
    @InjectQueue(QueueName.Outbound) outbound: Queue,
  ) {
    this.queues = {
      [QueueName.Maintenance]: maintenance,
      [QueueName.Tasks]: tasks,
      [QueueName.Inbound]: inbound,
      [QueueName.Outbound]: outbound,
    };
  }

  enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: JobsOptions & { jobId?: string } = {}) {
    return this.queues[JOB_QUEUE[name]].add(name, payload, options);
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  allQueues(): Queue[] {
    return Object.values(this.queues);
  }
}
