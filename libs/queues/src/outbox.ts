import { Injectable, Logger } from '@nestjs/common';
import { type Prisma, PrismaService } from '@fleetgate/persistence';
import type { JobName, JobPayloads } from './job-catalog';
import { JobProducer } from './job-producer';

/** Rows relayed per round; a round is one transaction. */
const RELAY_BATCH = 500;

/** An outbox row as the relay reads it. */
interface OutboxRow {
  id: bigint;
  job_name: string;
  job_id: string;
  payload: unknown;
  delay_ms: number;
  created_at: Date;
}

/**
 * The transactional outbox. A service that changes rows and needs a job writes the job into
 * `outbox_jobs` in the same transaction (stage), so that the two cannot drift apart: either both are
 * committed or neither. relay() then moves committed rows to BullMQ under their deterministic job
 * ids; it runs right after the commit and again from the worker's `outbox.relay` schedule, so a
 * process that dies between commit and enqueue loses nothing, and a row relayed twice is one job.
 */
@Injectable()
export class Outbox {
  private readonly logger = new Logger(Outbox.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
  ) {}

  stage<N extends JobName>(
    tx: Prisma.TransactionClient,
    name: N,
    payload: JobPayloads[N],
    jobId: string,
    delayMs = 0,
  ): Promise<unknown> {
    return tx.outboxJob.upsert({
      where: { jobId },
      create: { jobName: name, jobId, payload: payload as Prisma.InputJsonValue, delayMs },
      update: {},
    });
  }

  /**
   * Many jobs in one statement (a task's dispatch batches); ids already staged are skipped. Raw SQL:
   * Prisma compiles a createMany afresh on every call (it caches no createMany plan), which cost more
   * than the statement itself.
   */
  stageMany<N extends JobName>(
    tx: Prisma.TransactionClient,
    name: N,
    jobs: Array<{ payload: JobPayloads[N]; jobId: string; delayMs?: number }>,
  ): Promise<unknown> {
    if (jobs.length === 0) return Promise.resolve(0);
    return tx.$executeRaw`
      INSERT INTO outbox_jobs (job_name, job_id, payload, delay_ms, created_at)
      SELECT ${name}, r.job_id, r.payload::jsonb, r.delay_ms, ${new Date()}::timestamptz
      FROM unnest(${jobs.map((job) => job.jobId)}::text[], ${jobs.map((job) => JSON.stringify(job.payload))}::text[],
                  ${jobs.map((job) => job.delayMs ?? 0)}::int[]) WITH ORDINALITY AS r(job_id, payload, delay_ms, position)
      ORDER BY r.position
      ON CONFLICT (job_id) DO NOTHING`;
  }

  /** Relays every committed, unrelayed row; concurrent relays skip each other's rows. */
  async relay(): Promise<number> {
    let relayed = 0;
    for (;;) {
      const count = await this.prisma.$transaction(async (tx) => {
        // SKIP LOCKED lets relays in several processes share the rows instead of waiting on each other.
        const rows = await tx.$queryRaw<OutboxRow[]>`
          SELECT id, job_name, job_id, payload, delay_ms, created_at FROM outbox_jobs
          WHERE published_at IS NULL ORDER BY id LIMIT ${RELAY_BATCH} FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        const now = Date.now();
        await Promise.all(
          rows.map((row) =>
            this.producer.enqueue(row.job_name as JobName, row.payload as never, {
              jobId: row.job_id,
              // The delay counts from the commit, not from the relay.
              delay: Math.max(0, row.created_at.getTime() + row.delay_ms - now),
            }),
          ),
        );
        await tx.$executeRaw`
          UPDATE outbox_jobs SET published_at = ${new Date()}::timestamptz
          WHERE id = ANY(${rows.map((row) => String(row.id))}::bigint[])`;
        return rows.length;
      });
      relayed += count;
      if (count < RELAY_BATCH) break;
    }
    if (relayed > 0) this.logger.debug({ relayed }, 'outbox relayed');
    return relayed;
  }

  private relaying = false;
  private relayAgain = false;

  /**
   * Relays without making the caller wait or fail: the schedule picks up whatever this misses.
   * Calls during a relay are folded into one more relay after it, so a burst of commits (thousands of
   * callbacks a second) costs a handful of relays, not one each.
   */
  relaySoon(): void {
    if (this.relaying) {
      this.relayAgain = true;
      return;
    }
    this.relaying = true;
    void (async () => {
      try {
        do {
          this.relayAgain = false;
          await this.relay();
        } while (this.relayAgain);
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox relay failed; the scheduled relay will retry');
      } finally {
        this.relaying = false;
      }
    })();
  }

  /** Drops relayed rows after a day (their job ids have aged out of BullMQ by then too). */
  async purgeRelayed(olderThanMs = 86_400_000): Promise<number> {
    const { count } = await this.prisma.outboxJob.deleteMany({
      where: { publishedAt: { lt: new Date(Date.now() - olderThanMs) } },
    });
    return count;
  }
}
