import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { jobIdOf, JobProducer } from '@fleetgate/queues';
import { RedisConnections } from '@fleetgate/redis';
import { CallbackApplier } from '../callbacks/callback-applier';
import { EventDeliveryRepository } from '../events/event-delivery.repository';
import { systemScope } from '../scope/access-scope';
import { TaskTargetRepository } from '../tasks/task-target.repository';
import { TaskRepository } from '../tasks/task.repository';
import { QueueEpochRepository } from './queue-epoch.repository';

/** Rows read per round while recovering, so that a large backlog is never held whole. */
const RECOVERY_PAGE = 1_000;
const NO_UUID = '00000000-0000-0000-0000-000000000000';

/** What a lost Redis dropped is owed whoever it belongs to. */
const RECOVERY_SCOPE = systemScope('queue recovery enqueues again all work PostgreSQL says is owed');

export interface QueueRecoveryReport {
  /** Tasks answered before their targets were written, whose writing is enqueued again. */
  prepares: number;
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
    private readonly epochs: QueueEpochRepository,
    private readonly targets: TaskTargetRepository,
    private readonly tasks: TaskRepository,
    private readonly deliveries: EventDeliveryRepository,
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
    const lostEpoch = await this.epochs.epochOf(this.config.REDIS_PREFIX);
    await this.epochs.record(this.config.REDIS_PREFIX, epoch);
    // No earlier epoch: these queues start for the first time, nothing was lost.
    if (lostEpoch === undefined) return undefined;
    this.logger.warn({ lostEpoch }, 'Redis lost its queues; enqueueing again what PostgreSQL says is owed');
    const report = await this.requeue(epoch);
    this.logger.warn(report, 'queues recovered');
    return report;
  }

  private async requeue(epoch: string): Promise<QueueRecoveryReport> {
    const report: QueueRecoveryReport = { prepares: 0, dispatches: 0, polls: 0, callbackBatches: 0, deliveries: 0 };
    // Tasks whose targets are still to be written own no target yet, so no batch below names them.
    for await (const taskId of this.tasks.unwritten(RECOVERY_SCOPE, RECOVERY_PAGE)) {
      await this.producer.enqueue(
        'tasks.prepare',
        { taskId },
        { jobId: jobIdOf('tasks.prepare', taskId, 'recovered', epoch) },
      );
      report.prepares++;
    }
    // Batches owed a dispatch or a poll, a page at a time in (task, account, batch) order.
    let after = { taskId: NO_UUID, accountId: NO_UUID, batch: -1 };
    for (;;) {
      const batches = await this.targets.owedBatches(RECOVERY_SCOPE, after, RECOVERY_PAGE);
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

    for (let afterId: string | undefined; ;) {
      const deliveries = await this.deliveries.pendingIds(RECOVERY_SCOPE, afterId, RECOVERY_PAGE);
      for (const id of deliveries) {
        await this.producer.enqueue(
          'events.deliver',
          { deliveryId: id },
          { jobId: jobIdOf('events.deliver', id, 'recovered', epoch) },
        );
        report.deliveries++;
      }
      if (deliveries.length < RECOVERY_PAGE) break;
      afterId = deliveries[deliveries.length - 1];
    }
    return report;
  }
}
