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

  /**
   * Stages many jobs in one statement, in their order; ids already staged are skipped. Raw SQL: Prisma
   * compiles a createMany afresh on every call (it caches no createMany plan), which cost more than
   * the statement itself.
   */
  async stageMany(jobs: StagedJob[], db: Db = this.prisma): Promise<void> {
    if (jobs.length === 0) return;
    await db.$executeRaw`
      INSERT INTO outbox_jobs (job_name, job_id, payload, delay_ms, created_at)
      SELECT r.job_name, r.job_id, r.payload::jsonb, r.delay_ms, ${new Date()}::timestamptz
      FROM unnest(${jobs.map((job) => job.jobName)}::text[], ${jobs.map((job) => job.jobId)}::text[],
                  ${jobs.map((job) => JSON.stringify(job.payload))}::text[], ${jobs.map((job) => job.delayMs)}::int[])
           WITH ORDINALITY AS r(job_name, job_id, payload, delay_ms, position)
      ORDER BY r.position
      ON CONFLICT (job_id) DO NOTHING`;
  }

  /**
   * Up to `limit` unrelayed rows in id order, locked until `db`'s transaction ends (so it must be one);
   * rows another relay holds are skipped, not waited for.
   */
  lockUnrelayed(limit: number, db: Db): Promise<OutboxJob[]> {
    return db.$queryRaw<OutboxJob[]>`
      SELECT id, job_name AS "jobName", job_id AS "jobId", payload, delay_ms AS "delayMs",
             created_at AS "createdAt", published_at AS "publishedAt"
      FROM outbox_jobs WHERE published_at IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
  }

  async markRelayed(ids: bigint[], db: Db = this.prisma): Promise<void> {
    await db.$executeRaw`
      UPDATE outbox_jobs SET published_at = ${new Date()}::timestamptz
      WHERE id = ANY(${ids.map((id) => String(id))}::bigint[])`;
  }

  /** Deletes rows relayed before `before`; answers how many. */
  async deleteRelayedBefore(before: Date, db: Db = this.prisma): Promise<number> {
    const { count } = await db.outboxJob.deleteMany({ where: { publishedAt: { lt: before } } });
    return count;
  }
}
