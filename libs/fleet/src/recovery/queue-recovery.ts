import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaService } from '@fleetgate/persistence';
import { jobIdOf, JobProducer } from '@fleetgate/queues';
import { RedisConnections } from '@fleetgate/redis';
import { CallbackApplier } from '../callbacks/callback-applier';

/** Rows read per round while recovering, so that a large backlog is never held whole. */
const RECOVERY_PAGE = 1_000;
const NO_UUID = '00000000-0000-0000-0000-000000000000';

export interface QueueRecoveryReport {
  dispatches: number;
  polls: number;
  callbackBatches: number;
  deliveries: number;
}

/**
 * PostgreSQL is the record; Redis holds the queues. A Redis that restarts without its data (no
 * persistence, a failover to an empty replica) loses every waiting job: tasks would stay pending,
 * callbacks unapplied, events undelivered. The first worker to start after such a loss notices it (the
 * queue epoch written in both stores is missing from Redis) and enqueues again what PostgreSQL says is
 * owed. The dispatcher claims targets before sending, so a batch enqueued again is never sent twice;
 * a target caught mid-dispatch follows the crash rule (repeatable: sent again; otherwise dispatch_unknown).
 */
@Injectable()
export class QueueRecovery {
  private readonly logger = new Logger(QueueRecovery.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    private readonly config: FleetgateConfig,
    private readonly callbacks: CallbackApplier,
    private readonly redis: RedisConnections,
  ) {}

  /** Enqueues again what a lost Redis dropped; answers undefined when Redis lost nothing. */
  async recoverIfRedisLost(): Promise<QueueRecoveryReport | undefined> {
    const epoch = randomUUID();
    // Only one process takes the recovery: the one whose epoch lands in Redis first.
    const taken = await this.redis.commands.set(this.redis.key('queue-epoch'), epoch, 'NX');
    if (taken !== 'OK') return undefined;
    const known = await this.prisma.queueEpoch.findUnique({ where: { redisPrefix: this.config.REDIS_PREFIX } });
    await this.prisma.queueEpoch.upsert({
      where: { redisPrefix: this.config.REDIS_PREFIX },
      create: { redisPrefix: this.config.REDIS_PREFIX, epoch },
      update: { epoch },
    });
    // No earlier epoch: these queues start for the first time, nothing was lost.
    if (!known) return undefined;
    this.logger.warn(
      { lostEpoch: known.epoch },
      'Redis lost its queues; enqueueing again what PostgreSQL says is owed',
    );
    const report = await this.requeue(epoch);
    this.logger.warn(report, 'queues recovered');
    return report;
  }

  private async requeue(epoch: string): Promise<QueueRecoveryReport> {
    const report: QueueRecoveryReport = { dispatches: 0, polls: 0, callbackBatches: 0, deliveries: 0 };
    // Batches owed a dispatch or a poll, a page at a time in (task, account, batch) order.
    let after = { taskId: NO_UUID, accountId: NO_UUID, batch: -1 };
    for (;;) {
      const batches = await this.prisma.$queryRaw<
        Array<{
          task_id: string;
          account_id: string;
          batch: number;
          generation: number;
          due: boolean;
          running: boolean;
          wait_ms: number;
        }>
      >`
        SELECT t.task_id::text, t.account_id::text, t.batch, k.generation,
               bool_or(t.status IN ('pending', 'dispatching')) AS due,
               bool_or(t.status = 'running' AND t.vendor_task_id IS NOT NULL) AS running,
               greatest(0, ceil(extract(epoch FROM min(t.not_before) - now()) * 1000))::int AS wait_ms
        FROM task_targets t JOIN tasks k ON k.id = t.task_id
        WHERE k.finished_at IS NULL AND k.cancelled_at IS NULL AND t.status IN ('pending', 'dispatching', 'running')
          AND (t.task_id, t.account_id, t.batch) > (${after.taskId}::uuid, ${after.accountId}::uuid, ${after.batch})
        GROUP BY t.task_id, t.account_id, t.batch, k.generation
        ORDER BY t.task_id, t.account_id, t.batch
        LIMIT ${RECOVERY_PAGE}`;
      for (const row of batches) {
        const ref = { taskId: row.task_id, accountId: row.account_id, batch: row.batch, generation: row.generation };
        const parts = [ref.taskId, ref.accountId, ref.batch, `g${ref.generation}`, 'recovered', epoch] as const;
        if (row.due) {
          // A paced batch keeps its not-before time.
          await this.producer.enqueue(
            'tasks.dispatch',
            { ...ref, round: 0 },
            { jobId: jobIdOf('tasks.dispatch', ...parts), delay: row.wait_ms ?? 0 },
          );
          report.dispatches++;
        }
        if (row.running) {
          await this.producer.enqueue('tasks.poll', { ...ref, round: 0 }, { jobId: jobIdOf('tasks.poll', ...parts) });
          report.polls++;
        }
      }
      if (batches.length < RECOVERY_PAGE) break;
      const last = batches[batches.length - 1];
      after = { taskId: last.task_id, accountId: last.account_id, batch: last.batch };
    }

    report.callbackBatches = await this.callbacks.enqueueUnapplied(0, 'recovered', epoch);

    for (let afterId: string | undefined; ; ) {
      const deliveries = await this.prisma.eventDelivery.findMany({
        where: { status: 'pending', ...(afterId ? { id: { gt: afterId } } : {}) },
        select: { id: true },
        orderBy: { id: 'asc' },
        take: RECOVERY_PAGE,
      });
      for (const { id } of deliveries) {
        await this.producer.enqueue(
          'events.deliver',
          { deliveryId: id },
          { jobId: jobIdOf('events.deliver', id, 'recovered', epoch) },
        );
        report.deliveries++;
      }
      if (deliveries.length < RECOVERY_PAGE) break;
      afterId = deliveries[deliveries.length - 1].id;
    }
    return report;
  }
}
