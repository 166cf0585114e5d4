import { Module } from '@nestjs/common';
import { FleetModule } from '@fleetgate/fleet';
import { ExecutorQueues } from './executor-queues';
import { ExecutorRegistry } from './executor-registry';
import { ExecutorRouter } from './executor-router';
import { ExecutorRepository } from './executor.repository';
import { JobRunRepository } from './job-run.repository';
import { ScheduleRunner } from './schedule-runner';
import { ScheduledJobRepository } from './scheduled-job.repository';
import { ScheduledJobsController } from './scheduled-jobs.controller';
import { SchedulingService } from './scheduling.service';
import { VendorScheduleMirror } from './vendor-schedule-mirror';

/** Scheduled jobs: the gateway serves the controller, the worker fires and settles runs. */
@Module({
  imports: [FleetModule],
  controllers: [ScheduledJobsController],
  providers: [
    SchedulingService,
    ScheduleRunner,
    ExecutorRegistry,
    ExecutorRouter,
    ExecutorQueues,
    VendorScheduleMirror,
    ScheduledJobRepository,
    JobRunRepository,
    ExecutorRepository,
  ],
  exports: [SchedulingService, ScheduleRunner, ExecutorRegistry, ExecutorRouter, ExecutorQueues],
})
export class SchedulingModule {}
