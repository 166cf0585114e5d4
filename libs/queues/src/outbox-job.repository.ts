import { Injectable } from '@nestjs/common';
import { type Db, type OutboxJob, type Prisma, PrismaService } from '@fleetgate/persistence';

/** A job staged for the outbox: what BullMQ will get, under which id, how long after the commit. */
export interface StagedJob {
  jobName: string;
  jobId: string;
  payload: unknown;
  delayMs: number;
}

/** The outbox_jobs table: the only code that reads or writes it. */
@Injectable()
export class OutboxJobRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stages one job; a job id already staged is left as it is. */
  async stage(job: StagedJob, db: Db = this.prisma): Promise<void> {
    await db.outboxJob.upsert({
      where: { jobId: job.jobId },
      create: { ...job, payload: job.payload as Prisma.InputJsonValue },
      update: {},
    });
  }

  /** Stages many jobs in one statement; ids already staged are skipped. */
  async stageMany(jobs: StagedJob[], db: Db = this.prisma): Promise<void> {
    await db.outboxJob.createMany({
      data: jobs.map((job) => ({ ...job, payload: job.payload as Prisma.InputJsonValue })),
      skipDuplicates: true,
    });
  }

  /**
   * Up to `limit` unrelayed rows in id order, locked until `db`'s transaction ends (so it must be one);
   * rows another relay holds are skipped, not waited for.
   */
  async lockUnrelayed(limit: number, db: Db): Promise<OutboxJob[]> {
    const locked = await db.$queryRaw<Array<{ id: bigint | string }>>`
      SELECT id FROM outbox_jobs WHERE published_at IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    return db.outboxJob.findMany({
      where: { id: { in: locked.map((row) => BigInt(row.id)) } },
      orderBy: { id: 'asc' },
    });
  }

  async markRelayed(ids: bigint[], db: Db = this.prisma): Promise<void> {
    await db.outboxJob.updateMany({ where: { id: { in: ids } }, data: { publishedAt: new Date() } });
  }

  /** Deletes rows relayed before `before`; answers how many. */
  async deleteRelayedBefore(before: Date, db: Db = this.prisma): Promise<number> {
    const { count } = await db.outboxJob.deleteMany({ where: { publishedAt: { lt: before } } });
    return count;
  }
}
