import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { systemScope } from '@fleetgate/fleet';
import { type ExecutorJobPayloads, HandlesJob, type JobPayloads } from '@fleetgate/queues';
import { ScheduleRunner, SchedulingService } from '@fleetgate/scheduling';

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
  ) {}

  async onApplicationBootstrap(): Promise<void> {
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

  @HandlesJob('schedules.run')
  run(payload: ExecutorJobPayloads['schedules.run']) {
    return this.runner.run(payload);
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
