import { Injectable } from '@nestjs/common';
import type { AccessScope, SystemScope } from '@fleetgate/fleet';
import { jobRunsInScope, jobRunsInScopeSql } from './scheduled-job-scope';
import { type Db, type JobRun, type Prisma, PrismaService, type ScheduledJob } from '@fleetgate/persistence';

/** A run with its job's definition. */
export type JobRunWithJob = JobRun & { job: ScheduledJob };

/** What ends a running run. */
export interface RunEnd {
  status: string;
  error: string | null;
  finishedAt: Date;
  durationMs: number | null;
}

/**
 * The job_runs table (the dispatch log): the only code that reads or writes it. Every call states the
 * scope it acts in; a run is seen with its job. Runs are recorded by the runner alone, for no user,
 * so the calls that record them take the system's scope.
 */
@Injectable()
export class JobRunRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(scope: SystemScope, data: Prisma.JobRunUncheckedCreateInput, db: Db = this.prisma): Promise<JobRun> {
    return db.jobRun.create({ data });
  }

  /** Records every run or, when one of them exists already, none (a unique violation is thrown). */
  createAll(scope: SystemScope, data: Prisma.JobRunCreateManyInput[], db: Db = this.prisma): Promise<JobRun[]> {
    return db.jobRun.createManyAndReturn({ data });
  }

  /** Records the runs not recorded yet; answers how many were new. */
  async createMissing(scope: SystemScope, data: Prisma.JobRunCreateManyInput[], db: Db = this.prisma): Promise<number> {
    const { count } = await db.jobRun.createMany({ data, skipDuplicates: true });
    return count;
  }

  findWithJob(scope: AccessScope, id: string, db: Db = this.prisma): Promise<JobRunWithJob | null> {
    return db.jobRun.findUnique({ where: { ...jobRunsInScope(scope), id }, include: { job: true } });
  }

  async triggeredAt(scope: AccessScope, id: string, db: Db = this.prisma): Promise<Date | undefined> {
    const run = await db.jobRun.findUnique({ where: { ...jobRunsInScope(scope), id }, select: { triggeredAt: true } });
    return run?.triggeredAt;
  }

  /** Every running run, with its job. */
  runningWithJobs(scope: AccessScope, db: Db = this.prisma): Promise<JobRunWithJob[]> {
    return db.jobRun.findMany({ where: { ...jobRunsInScope(scope), status: 'running' }, include: { job: true } });
  }

  /** The job's running runs of other ticks than this one, newest first. */
  runningOfOtherTicks(scope: AccessScope, jobId: string, tick: Date, db: Db = this.prisma): Promise<JobRun[]> {
    return db.jobRun.findMany({
      where: { ...jobRunsInScope(scope), jobId, status: 'running', NOT: { scheduledFor: tick } },
      orderBy: { triggeredAt: 'desc' },
    });
  }

  /** The runs of one tick and attempt of a job (of one shard, or all), in shard order. */
  ofTick(
    scope: AccessScope,
    jobId: string,
    tick: Date,
    attempt: number,
    shardIndex: number | undefined,
    db: Db = this.prisma,
  ): Promise<JobRun[]> {
    return db.jobRun.findMany({
      where: {
        ...jobRunsInScope(scope),
        jobId,
        scheduledFor: tick,
        attempt,
        ...(shardIndex !== undefined ? { shardIndex } : {}),
      },
      orderBy: { shardIndex: 'asc' },
    });
  }

  /** Sets the run's task while it is running; answers whether it was. */
  async setTaskIfRunning(scope: AccessScope, id: string, taskId: string, db: Db = this.prisma): Promise<boolean> {
    const { count } = await db.jobRun.updateMany({
      where: { ...jobRunsInScope(scope), id, status: 'running' },
      data: { taskId },
    });
    return count > 0;
  }

  /** Ends the run if it is still running; a run that ended already keeps its end. */
  async endIfRunning(scope: AccessScope, id: string, end: RunEnd, db: Db = this.prisma): Promise<void> {
    await db.jobRun.updateMany({ where: { ...jobRunsInScope(scope), id, status: 'running' }, data: end });
  }

  /** A page of runs, newest first, and how many match in all. */
  page(
    scope: AccessScope,
    filter: { jobId?: string; status?: string; since?: Date },
    page: { skip: number; take: number },
    db: Db = this.prisma,
  ): Promise<[JobRun[], number]> {
    const where: Prisma.JobRunWhereInput = {
      ...jobRunsInScope(scope),
      ...(filter.jobId ? { jobId: filter.jobId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.since ? { triggeredAt: { gte: filter.since } } : {}),
    };
    return Promise.all([
      db.jobRun.findMany({ where, orderBy: { triggeredAt: 'desc' }, skip: page.skip, take: page.take }),
      db.jobRun.count({ where }),
    ]);
  }

  /** Deletes the ended runs triggered before `before`; answers how many. */
  async deleteEndedBefore(scope: AccessScope, before: Date, db: Db = this.prisma): Promise<number> {
    const { count } = await db.jobRun.deleteMany({
      where: { ...jobRunsInScope(scope), triggeredAt: { lt: before }, status: { not: 'running' } },
    });
    return count;
  }

  /** Deletes the ended runs of each job but its `keepLast` latest; answers how many. */
  deleteEndedBeyondLatest(scope: AccessScope, keepLast: number, db: Db = this.prisma): Promise<number> {
    return db.$executeRaw`
      DELETE FROM job_runs WHERE status <> 'running' AND id IN (
        SELECT id FROM (
          SELECT id, row_number() OVER (PARTITION BY job_id ORDER BY triggered_at DESC) AS position FROM job_runs
          WHERE ${jobRunsInScopeSql(scope)}
        ) ranked WHERE ranked.position > ${keepLast})`;
  }

  /** How many runs there are of each status. */
  async countByStatus(scope: AccessScope, db: Db = this.prisma): Promise<Array<{ status: string; runs: number }>> {
    const rows = await db.jobRun.groupBy({ by: ['status'], where: jobRunsInScope(scope), _count: { _all: true } });
    return rows.map((row) => ({ status: row.status, runs: row._count._all }));
  }

  /** Runs per UTC day of the last `days` days, and how many of them succeeded and failed. */
  perDay(
    scope: AccessScope,
    days: number,
    db: Db = this.prisma,
  ): Promise<Array<{ day: Date; runs: bigint; succeeded: bigint; failed: bigint }>> {
    return db.$queryRaw<Array<{ day: Date; runs: bigint; succeeded: bigint; failed: bigint }>>`
        SELECT date_trunc('day', triggered_at AT TIME ZONE 'UTC') AS day, count(*) AS runs,
               count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE status IN ('failed', 'timed_out', 'partially_failed')) AS failed
        FROM job_runs WHERE triggered_at >= now() - make_interval(days => ${days}) AND ${jobRunsInScopeSql(scope)}
        GROUP BY 1 ORDER BY 1`;
  }

  /** How many runs each executor has running. */
  async runningByExecutor(
    scope: AccessScope,
    db: Db = this.prisma,
  ): Promise<Array<{ executor: string | null; running: number }>> {
    const rows = await db.jobRun.groupBy({
      by: ['executor'],
      where: { ...jobRunsInScope(scope), status: 'running' },
      _count: { _all: true },
    });
    return rows.map((row) => ({ executor: row.executor, running: row._count._all }));
  }
}
