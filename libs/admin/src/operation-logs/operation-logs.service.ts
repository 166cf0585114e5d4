import { Injectable, Logger } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { type LoginLog, type OperationLog, Prisma, PrismaService } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import type { LoginLogDto, LoginLogQueryDto, OperationLogDto, OperationLogQueryDto } from './operation-log.dto';

const DAY_MS = 86_400_000;

/** Reading and cleaning the operation and login logs; the worker purges them past their retention. */
@Injectable()
export class OperationLogsService {
  private readonly logger = new Logger(OperationLogsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: FleetgateConfig,
  ) {}

  async list(query: OperationLogQueryDto): Promise<Paged<OperationLogDto>> {
    const where: Prisma.OperationLogWhereInput = {
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.actor ? { actor: { contains: query.actor, mode: 'insensitive' as const } } : {}),
      ...(query.method ? { method: query.method } : {}),
      ...(query.route ? { route: { contains: query.route } } : {}),
      ...(query.path ? { path: { contains: query.path } } : {}),
      ...(query.outcome ? { outcome: query.outcome } : {}),
      ...(query.statusCode ? { statusCode: query.statusCode } : {}),
      ...(query.from || query.to ? { createdAt: { gte: query.from, lt: query.to } } : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.operationLog.findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        skip: query.skip,
        take: query.pageSize,
      }),
      this.prisma.operationLog.count({ where }),
    ]);
    return paged(rows.map(toOperationDto), total, query);
  }

  async listLogins(query: LoginLogQueryDto): Promise<Paged<LoginLogDto>> {
    const where: Prisma.LoginLogWhereInput = {
      ...(query.email ? { email: { contains: query.email, mode: 'insensitive' as const } } : {}),
      ...(query.outcome ? { outcome: query.outcome } : {}),
      ...(query.from || query.to ? { createdAt: { gte: query.from, lt: query.to } } : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.loginLog.findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        skip: query.skip,
        take: query.pageSize,
      }),
      this.prisma.loginLog.count({ where }),
    ]);
    return paged(rows.map(toLoginDto), total, query);
  }

  /** Deletes operation logs older than the given number of days (0: all of them). */
  async clean(olderThanDays: number): Promise<number> {
    const { count } = await this.prisma.operationLog.deleteMany({
      where: { createdAt: { lt: new Date(Date.now() - olderThanDays * DAY_MS) } },
    });
    return count;
  }

  /** Deletes operation and login logs older than OPERATION_LOG_RETENTION_DAYS (the worker's `audit.purge`). */
  async purgeExpired(): Promise<{ operationLogs: number; loginLogs: number }> {
    const cutoff = new Date(Date.now() - this.config.OPERATION_LOG_RETENTION_DAYS * DAY_MS);
    const [operationLogs, loginLogs] = await Promise.all([
      this.prisma.operationLog.deleteMany({ where: { createdAt: { lt: cutoff } } }),
      this.prisma.loginLog.deleteMany({ where: { createdAt: { lt: cutoff } } }),
    ]);
    if (operationLogs.count || loginLogs.count) {
      this.logger.log({ operationLogs: operationLogs.count, loginLogs: loginLogs.count }, 'purged old audit logs');
    }
    return { operationLogs: operationLogs.count, loginLogs: loginLogs.count };
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
