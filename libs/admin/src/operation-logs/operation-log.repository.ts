import { Injectable } from '@nestjs/common';
import { type Db, type OperationLog, type Prisma, PrismaService } from '@fleetgate/persistence';

export type OperationLogRow = Prisma.OperationLogCreateManyInput;

/** Which operation log rows a list shows; every field given narrows it. */
export interface OperationLogFilter {
  userId?: string;
  /** Part of the actor's e-mail, any case. */
  actor?: string;
  method?: string;
  /** Part of the route pattern. */
  route?: string;
  /** Part of the path. */
  path?: string;
  outcome?: string;
  statusCode?: number;
  from?: Date;
  to?: Date;
}

/** The operation log (`operation_logs`): every changing request through the gateway. */
@Injectable()
export class OperationLogRepository {
  constructor(private readonly prisma: PrismaService) {}

  async addMany(rows: OperationLogRow[], db: Db = this.prisma): Promise<void> {
    await db.operationLog.createMany({ data: rows });
  }

  /** A page of rows, newest first. */
  page(filter: OperationLogFilter, skip: number, take: number, db: Db = this.prisma): Promise<OperationLog[]> {
    return db.operationLog.findMany({
      where: operationLogWhere(filter),
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      skip,
      take,
    });
  }

  count(filter: OperationLogFilter, db: Db = this.prisma): Promise<number> {
    return db.operationLog.count({ where: operationLogWhere(filter) });
  }

  /** Deletes rows written before `cutoff`; answers how many. */
  async deleteBefore(cutoff: Date, db: Db = this.prisma): Promise<number> {
    const { count } = await db.operationLog.deleteMany({ where: { createdAt: { lt: cutoff } } });
    return count;
  }

  /**
   * Lets the database connection go again: rows written after the persistence layer closed reopened it,
   * and the process cannot end while it is open.
   */
  async release(): Promise<void> {
    await this.prisma.$disconnect();
  }
}

function operationLogWhere(filter: OperationLogFilter): Prisma.OperationLogWhereInput {
  return {
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.actor ? { actor: { contains: filter.actor, mode: 'insensitive' as const } } : {}),
    ...(filter.method ? { method: filter.method } : {}),
    ...(filter.route ? { route: { contains: filter.route } } : {}),
    ...(filter.path ? { path: { contains: filter.path } } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.statusCode ? { statusCode: filter.statusCode } : {}),
    ...(filter.from || filter.to ? { createdAt: { gte: filter.from, lt: filter.to } } : {}),
  };
}
