import { Injectable } from '@nestjs/common';
import { ForbiddenError } from '@fleetgate/domain';
import { type AccessScope, ownerInScope } from '@fleetgate/fleet';
import { scheduledJobsInScope } from './scheduled-job-scope';
import { type Db, type Prisma, PrismaService, type ScheduledJob } from '@fleetgate/persistence';

/**
 * The scheduled_jobs table: the only code that reads or writes it. Every call states the scope it
 * acts in, and the scope is part of each statement: a job outside it is not found, not changed.
 */
@Injectable()
export class ScheduledJobRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A new job; one that would belong to someone outside the scope is refused. */
  async create(
    scope: AccessScope,
    data: Prisma.ScheduledJobUncheckedCreateInput,
    db: Db = this.prisma,
  ): Promise<ScheduledJob> {
    if (!ownerInScope(scope, { departmentId: data.departmentId ?? null, userId: data.createdById ?? null })) {
      throw new ForbiddenError('A scheduled job can only be created within the data scope of whom it acts for');
    }
    return db.scheduledJob.create({ data });
  }

  find(scope: AccessScope, id: string, db: Db = this.prisma): Promise<ScheduledJob | null> {
    return db.scheduledJob.findFirst({ where: { id, ...scheduledJobsInScope(scope) } });
  }

  update(
    scope: AccessScope,
    id: string,
    data: Prisma.ScheduledJobUncheckedUpdateInput,
    db: Db = this.prisma,
  ): Promise<ScheduledJob> {
    return db.scheduledJob.update({ where: oneInScope(scope, id), data });
  }

  async delete(scope: AccessScope, id: string, db: Db = this.prisma): Promise<void> {
    await db.scheduledJob.delete({ where: oneInScope(scope, id) });
  }

  /** Every job the scope reaches. */
  all(scope: AccessScope, db: Db = this.prisma): Promise<ScheduledJob[]> {
    return db.scheduledJob.findMany({ where: scheduledJobsInScope(scope) });
  }

  /** A page of jobs in name order (of one group, names containing a text), and how many match in all. */
  page(
    scope: AccessScope,
    filter: { groupName?: string; text?: string },
    page: { skip: number; take: number },
    db: Db = this.prisma,
  ): Promise<[ScheduledJob[], number]> {
    const where: Prisma.ScheduledJobWhereInput = {
      ...scheduledJobsInScope(scope),
      ...(filter.groupName ? { groupName: filter.groupName } : {}),
      ...(filter.text ? { name: { contains: filter.text, mode: 'insensitive' as const } } : {}),
    };
    return Promise.all([
      db.scheduledJob.findMany({ where, orderBy: { name: 'asc' }, skip: page.skip, take: page.take }),
      db.scheduledJob.count({ where }),
    ]);
  }

  /** The groups of the jobs, in name order, with how many jobs each has. */
  async groups(scope: AccessScope, db: Db = this.prisma): Promise<Array<{ groupName: string; jobs: number }>> {
    const rows = await db.scheduledJob.groupBy({
      by: ['groupName'],
      where: scheduledJobsInScope(scope),
      _count: { _all: true },
      orderBy: { groupName: 'asc' },
    });
    return rows.map((row) => ({ groupName: row.groupName, jobs: row._count._all }));
  }

  /** How many jobs there are, and how many of them are enabled. */
  async counts(scope: AccessScope, db: Db = this.prisma): Promise<{ jobs: number; enabled: number }> {
    const where = scheduledJobsInScope(scope);
    const [jobs, enabled] = await Promise.all([
      db.scheduledJob.count({ where }),
      db.scheduledJob.count({ where: { ...where, enabled: true } }),
    ]);
    return { jobs, enabled };
  }

  /** The jobs a vendor account keeps the schedules of. */
  vendorKept(scope: AccessScope, vendorAccountId: string, db: Db = this.prisma): Promise<ScheduledJob[]> {
    return db.scheduledJob.findMany({ where: { ...scheduledJobsInScope(scope), vendorAccountId, runner: 'vendor' } });
  }
}

/**
 * One job by id, within the scope. The scope's condition is on the job's creator and department only;
 * it is typed as any job condition, which Prisma's unique-where type does not take as it is.
 */
function oneInScope(scope: AccessScope, id: string): Prisma.ScheduledJobWhereUniqueInput {
  return { ...scheduledJobsInScope(scope), id } as Prisma.ScheduledJobWhereUniqueInput;
}
