import { Injectable, Logger } from '@nestjs/common';
import { type Db, Transactions } from '@fleetgate/persistence';
import type { JobName, JobPayloads } from './job-catalog';
import { JobProducer } from './job-producer';
import { OutboxJobRepository } from './outbox-job.repository';

/** Rows relayed per round; a round is one transaction. */
const RELAY_BATCH = 500;

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
    private readonly transactions: Transactions,
    private readonly jobs: OutboxJobRepository,
    private readonly producer: JobProducer,
  ) {}

  stage<N extends JobName>(tx: Db, name: N, payload: JobPayloads[N], jobId: string, delayMs = 0): Promise<unknown> {
    return this.jobs.stage({ jobName: name, jobId, payload, delayMs }, tx);
  }

  /** Many jobs in one statement (a task's dispatch batches); ids already staged are skipped. */
  stageMany<N extends JobName>(
    tx: Db,
    name: N,
    jobs: Array<{ payload: JobPayloads[N]; jobId: string; delayMs?: number }>,
  ): Promise<unknown> {
    return this.jobs.stageMany(
      jobs.map((job) => ({ jobName: name, jobId: job.jobId, payload: job.payload, delayMs: job.delayMs ?? 0 })),
      tx,
    );
  }

  /** Relays every committed, unrelayed row; concurrent relays skip each other's rows. */
  async relay(): Promise<number> {
    let relayed = 0;
    for (;;) {
      const count = await this.transactions.run(async (tx) => {
        // SKIP LOCKED lets relays in several processes share the rows instead of waiting on each other.
        const rows = await this.jobs.lockUnrelayed(RELAY_BATCH, tx);
        if (rows.length === 0) return 0;
        const now = Date.now();
        await Promise.all(
          rows.map((row) =>
            this.producer.enqueue(row.jobName as JobName, row.payload as never, {
              jobId: row.jobId,
              // The delay counts from the commit, not from the relay.
              delay: Math.max(0, row.createdAt.getTime() + row.delayMs - now),
            }),
          ),
        );
        await this.jobs.markRelayed(
          rows.map((row) => row.id),
          tx,
        );
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
    return this.jobs.deleteRelayedBefore(new Date(Date.now() - olderThanMs));
  }
}
