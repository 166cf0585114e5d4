import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { OperationLogsModule } from '@fleetgate/admin';
import { AuthDataModule } from '@fleetgate/auth';
import { ConfigModule, FleetgateConfig, loadConfig } from '@fleetgate/config';
import { FleetModule } from '@fleetgate/fleet';
import { ObservabilityModule } from '@fleetgate/observability';
import { PersistenceModule } from '@fleetgate/persistence';
import { loggerParams } from '@fleetgate/platform';
import { QueuesModule } from '@fleetgate/queues';
import { RedisModule } from '@fleetgate/redis';
import { SchedulingModule } from '@fleetgate/scheduling';
import { VendorsModule } from '@fleetgate/vendors';
import { InboundJobsHandler } from './fleet/inbound-jobs.handler';
import { EventJobsHandler } from './fleet/event-jobs.handler';
import { ExecutorQueueProcessor } from './fleet/executor-queue.processor';
import { ScheduleJobsHandler } from './fleet/schedule-jobs.handler';
import { fleetQueueProcessors } from './fleet/fleet-queue.processors';
import { TaskJobsHandler } from './fleet/task-jobs.handler';
import { JobRouter } from './job-router';
import { AuditPurgeHandler } from './maintenance/audit-purge.handler';
import { MaintenanceQueueProcessor } from './maintenance/maintenance-queue.processor';
import { SessionPurgeHandler } from './maintenance/session-purge.handler';

@Module({})
export class WorkerModule {
  static forRoot(config: FleetgateConfig = loadConfig()): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync({
          inject: [FleetgateConfig],
          useFactory: (config: FleetgateConfig) => loggerParams(config.LOG_LEVEL),
        }),
        DiscoveryModule,
        PersistenceModule,
        AuthDataModule,
        RedisModule,
        QueuesModule,
        ObservabilityModule,
        VendorsModule,
        FleetModule,
        SchedulingModule,
        OperationLogsModule,
      ],
      providers: [
        JobRouter,
        MaintenanceQueueProcessor,
        ...fleetQueueProcessors(config),
        ExecutorQueueProcessor,
        SessionPurgeHandler,
        AuditPurgeHandler,
        TaskJobsHandler,
        InboundJobsHandler,
        EventJobsHandler,
        ScheduleJobsHandler,
      ],
    };
  }
}
