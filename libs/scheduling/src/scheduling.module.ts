import { Module } from '@nestjs/common';
import { FleetModule } from '@fleetgate/fleet';
import { ExecutorRegistry } from './executor-registry';
import { ScheduleRunner } from './schedule-runner';
import { ScheduledJobsController } from './scheduled-jobs.controller';
import { SchedulingService } from './scheduling.service';

/** Scheduled jobs: the gateway serves the controller, the worker fires and settles runs. */
@Module({
  imports: [FleetModule],
  controllers: [ScheduledJobsController],
  providers: [SchedulingService, ScheduleRunner, ExecutorRegistry],
  exports: [SchedulingService, ScheduleRunner, ExecutorRegistry],
})
export class SchedulingModule {}
