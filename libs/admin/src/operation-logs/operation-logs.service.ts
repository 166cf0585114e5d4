import { Injectable, Logger } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { LoginLogRepository } from '@fleetgate/auth';
import type { LoginLog, OperationLog } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import type { LoginLogDto, LoginLogQueryDto, OperationLogDto, OperationLogQueryDto } from './operation-log.dto';
import { OperationLogRepository } from './operation-log.repository';

const DAY_MS = 86_400_000;

/** Reading and cleaning the operation and login logs; the worker purges them past their retention. */
@Injectable()
export class OperationLogsService {
  private readonly logger = new Logger(OperationLogsService.name);

  constructor(
    private readonly operationLogs: OperationLogRepository,
    private readonly loginLogs: LoginLogRepository,
    private readonly config: FleetgateConfig,
  ) {}

  async list(query: OperationLogQueryDto): Promise<Paged<OperationLogDto>> {
    const [rows, total] = await Promise.all([
      this.operationLogs.page(query, query.skip, query.pageSize),
      this.operationLogs.count(query),
    ]);
    return paged(rows.map(toOperationDto), total, query);
  }

  async listLogins(query: LoginLogQueryDto): Promise<Paged<LoginLogDto>> {
    const [rows, total] = await Promise.all([
      this.loginLogs.page(query, query.skip, query.pageSize),
      this.loginLogs.count(query),
    ]);
    return paged(rows.map(toLoginDto), total, query);
  }

  /** Deletes operation logs older than the given number of days (0: all of them). */
  async clean(olderThanDays: number): Promise<number> {
    return this.operationLogs.deleteBefore(new Date(Date.now() - olderThanDays * DAY_MS));
  }

  /** Deletes operation and login logs older than OPERATION_LOG_RETENTION_DAYS (the worker's `audit.purge`). */
  async purgeExpired(): Promise<{ operationLogs: number; loginLogs: number }> {
    const cutoff = new Date(Date.now() - this.config.OPERATION_LOG_RETENTION_DAYS * DAY_MS);
    const [operationLogs, loginLogs] = await Promise.all([
      this.operationLogs.deleteBefore(cutoff),
      this.loginLogs.deleteBefore(cutoff),
    ]);
    if (operationLogs || loginLogs) this.logger.log({ operationLogs, loginLogs }, 'purged old audit logs');
    return { operationLogs, loginLogs };
  }
}

function toOperationDto(row: OperationLog): OperationLogDto {
  return {
    id: row.id,
    userId: row.userId,
    actor: row.actor,
    method: row.method,
    route: row.route,
    path: row.path,
    targetId: row.targetId,
    statusCode: row.statusCode,
    outcome: row.outcome,
    errorCode: row.errorCode,
    durationMs: row.durationMs,
    ip: row.ip,
    requestId: row.requestId,
    createdAt: row.createdAt,
  };
}

function toLoginDto(row: LoginLog): LoginLogDto {
  return {
    id: row.id,
    email: row.email,
    userId: row.userId,
    outcome: row.outcome,
    reason: row.reason,
    ip: row.ip,
    userAgent: row.userAgent,
    createdAt: row.createdAt,
  };
}
