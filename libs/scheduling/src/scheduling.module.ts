import { Module } from '@nestjs/common';
import { FleetModule } from '@fleetgate/fleet';
import { ExecutorQueues } from './executor-queues';
import { ExecutorRegistry } from './executor-registry';
import { ExecutorRouter } from './executor-router';
import { ScheduleRunner } from './schedule-runner';
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
  ],
  exports: [SchedulingService, ScheduleRunner, ExecutorRegistry, ExecutorRouter, ExecutorQueues],
})
export class SchedulingModule {}
