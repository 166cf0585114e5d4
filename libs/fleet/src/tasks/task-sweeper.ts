import { Injectable, Logger } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaService } from '@fleetgate/persistence';
import { JobProducer, Outbox } from '@fleetgate/queues';
import { CLAIM_LEASE_MS } from './task-dispatcher';
import { TaskProgress } from './task-progress';
import { dispatchJobId } from './task.service';

export interface SweepReport {
  timedOut: number;
  redispatched: number;
  relayed: number;
}

/**
 * The safety net, run on a schedule by one worker at a time: relays outbox rows that no process
 * relayed, settles targets past their deadline (vendor silent, worker lost), and re-enqueues
 * dispatch for batches left without a job: due targets still pending, or claims that ran out.
 */
@Injectable()
export class TaskSweeper {
  private readonly logger = new Logger(TaskSweeper.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly progress: TaskProgress,
    private readonly outbox: Outbox,
    private readonly producer: JobProducer,
    private readonly config: FleetgateConfig,
  ) {}

  async sweep(now = new Date()): Promise<SweepReport> {
    const relayed = await this.outbox.relay();
    const expired = await this.progress.move(
      { status: { in: ['running', 'dispatching'] }, deadlineAt: { lt: now } },
      {
        status: 'timed_out',
        error: { code: 'deadline', message: 'no final answer from the vendor before the deadline' },
      },
    );
    for (const taskId of expired) await this.progress.refreshTask(taskId);

    // A due pending target untouched past the horizon lost its dispatch job; so did a claim nobody
    // renewed within its lease (the dispatch's worker died and no job came back to the batch). The
    // horizon counts from a paced batch's not-before time, never from its creation.
    const horizon = new Date(now.getTime() - this.config.TASK_REDISPATCH_AFTER_SECONDS * 1000);
    const stuck = await this.prisma.taskTarget.groupBy({
      by: ['taskId', 'accountId', 'batch'],
      where: {
        task: { cancelledAt: null, abortedAt: null },
        OR: [
          {
            status: 'pending',
            updatedAt: { lt: horizon },
            AND: [
              { OR: [{ waitUntil: null }, { waitUntil: { lt: now } }] },
              { OR: [{ notBefore: null }, { notBefore: { lt: horizon } }] },
            ],
          },
          { status: 'dispatching', updatedAt: { lt: new Date(now.getTime() - CLAIM_LEASE_MS) } },
        ],
      },
    });
    const sweepRound = Math.floor(now.getTime() / 60_000);
    for (const { taskId, accountId, batch } of stuck) {
      const task = await this.prisma.task.findUnique({ where: { id: taskId }, select: { generation: true } });
      if (!task) continue;
      const ref = { taskId, accountId, batch, generation: task.generation };
      // A round of its own per sweep minute: a new job id, never one that already ran.
      await this.producer.enqueue(
        'tasks.dispatch',
        { ...ref, round: sweepRound },
        { jobId: dispatchJobId(ref, sweepRound) },
      );
    }
    if (expired.length || stuck.length) {
      this.logger.warn({ timedOutTasks: expired.length, redispatched: stuck.length }, 'swept stuck targets');
    }
    return { timedOut: expired.length, redispatched: stuck.length, relayed };
  }
}
