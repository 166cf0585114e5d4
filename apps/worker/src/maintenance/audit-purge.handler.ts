import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { OperationLogsService } from '@fleetgate/admin';
import { HandlesJob, JobProducer, QueueName } from '@fleetgate/queues';

/** Keeps the operation and login logs to OPERATION_LOG_RETENTION_DAYS. */
@Injectable()
export class AuditPurgeHandler implements OnApplicationBootstrap {
  constructor(
    private readonly logs: OperationLogsService,
    private readonly producer: JobProducer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A job scheduler, not a timer: several workers share one schedule and fire each tick once.
    await this.producer
      .queue(QueueName.Maintenance)
      .upsertJobScheduler('audit.purge', { every: 3_600_000 }, { name: 'audit.purge', data: {} });
  }

  @HandlesJob('audit.purge')
  purge(): Promise<{ operationLogs: number; loginLogs: number }> {
    return this.logs.purgeExpired();
  }
}
