import { Injectable } from '@nestjs/common';
import { OperationLogsService } from '@fleetgate/admin';
import { HandlesJob } from '@fleetgate/queues';

/** Keeps the operation and login logs to OPERATION_LOG_RETENTION_DAYS. */
@Injectable()
export class AuditPurgeHandler {
  constructor(private readonly logs: OperationLogsService) {}

  @HandlesJob('audit.purge')
  purge(): Promise<{ operationLogs: number; loginLogs: number }> {
    return this.logs.purgeExpired();
  }
}
