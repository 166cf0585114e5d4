import { Injectable } from '@nestjs/common';
import { type Db, type LoginLog, type Prisma, PrismaService } from '@fleetgate/persistence';

/** Which login log rows a list shows; every field given narrows it. */
export interface LoginLogFilter {
  /** Part of the e-mail, any case. */
  email?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
}

/** The login log (`login_logs`): every sign-in attempt and its outcome. */
@Injectable()
export class LoginLogRepository {
  constructor(private readonly prisma: PrismaService) {}

  async add(row: Prisma.LoginLogUncheckedCreateInput, db: Db = this.prisma): Promise<void> {
    await db.loginLog.create({ data: row });
  }

  /** A page of rows, newest first. */
  page(filter: LoginLogFilter, skip: number, take: number, db: Db = this.prisma): Promise<LoginLog[]> {
    return db.loginLog.findMany({
      where: loginLogWhere(filter),
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      skip,
      take,
    });
  }

  count(filter: LoginLogFilter, db: Db = this.prisma): Promise<number> {
    return db.loginLog.count({ where: loginLogWhere(filter) });
  }

  /** Deletes rows written before `cutoff`; answers how many. */
  async deleteBefore(cutoff: Date, db: Db = this.prisma): Promise<number> {
    const { count } = await db.loginLog.deleteMany({ where: { createdAt: { lt: cutoff } } });
    return count;
  }
}

function loginLogWhere(filter: LoginLogFilter): Prisma.LoginLogWhereInput {
  return {
    ...(filter.email ? { email: { contains: filter.email, mode: 'insensitive' as const } } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.from || filter.to ? { createdAt: { gte: filter.from, lt: filter.to } } : {}),
  };
}
