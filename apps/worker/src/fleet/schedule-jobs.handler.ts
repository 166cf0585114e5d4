import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { systemScope } from '@fleetgate/fleet';
import { HandlesJob, type JobPayloads, JobProducer, QueueName } from '@fleetgate/queues';
import {
  EXECUTOR_ID,
  ExecutorQueues,
  ExecutorRegistry,
  ScheduleRunner,
  SchedulingService,
} from '@fleetgate/scheduling';

const SETTLE_EVERY_MS = 10_000;
const VENDOR_SYNC_EVERY_MS = Number(process.env.VENDOR_SCHEDULE_SYNC_MS) || 60_000;

/**
 * Scheduled jobs: fires (from BullMQ job schedulers, taken by any worker, which routes them to
 * executors of the job's group), the runs routed to this worker as an executor (from its own queue),
 * and the follow-up of runs.
 */
@Injectable()
export class ScheduleJobsHandler implements OnApplicationBootstrap {
  private readonly logger = new Logger(ScheduleJobsHandler.name);

  constructor(
    private readonly runner: ScheduleRunner,
    private readonly scheduling: SchedulingService,
    private readonly producer: JobProducer,
    private readonly executors: ExecutorRegistry,
    private readonly executorQueues: ExecutorQueues,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.executors.start();
    this.executorQueues.consume(EXECUTOR_ID, { 'schedules.run': (payload) => this.runner.run(payload) });
    await this.producer
      .queue(QueueName.Maintenance)
      .upsertJobScheduler('schedules.settle', { every: SETTLE_EVERY_MS }, { name: 'schedules.settle', data: {} });
    await this.producer
      .queue(QueueName.Maintenance)
      .upsertJobScheduler(
        'schedules.vendor-sync',
        { every: VENDOR_SYNC_EVERY_MS },
        { name: 'schedules.vendor-sync', data: {} },
      );
    // The schedules live in Redis; a Redis that lost them gets them back from PostgreSQL here.
    for (const job of await this.scheduling.jobRows(systemScope('restoring every schedule into Redis'))) {
      await this.scheduling
        .syncSchedule(job)
        .catch((error: unknown) => this.logger.warn({ jobId: job.id, err: error }, 'could not restore a schedule'));
    }
  }

  @HandlesJob('schedules.fire')
  fire(payload: JobPayloads['schedules.fire'], job: Job) {
    return this.runner.fire(payload, job);
  }

  @HandlesJob('schedules.settle')
  settle() {
    return this.runner.settle();
  }

  @HandlesJob('schedules.vendor-sync')
  async pullVendorSchedules() {
    return { accounts: await this.scheduling.pullVendorSchedules() };
  }
}
