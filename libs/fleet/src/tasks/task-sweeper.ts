import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { JobProducer, Outbox } from '@fleetgate/queues';
import { TaskProgress } from './task-progress';
import { dispatchJobId } from './task.service';

/** A pending target untouched this long has lost its dispatch job (Redis lost it, or it failed for good). */
const STUCK_PENDING_MS = 120_000;

export interface SweepReport {
  timedOut: number;
  redispatched: number;
  relayed: number;
}

/**
 * The safety net, run on a schedule by one worker at a time: relays outbox rows that no process
 * relayed, settles targets past their deadline (vendor silent, worker lost), and re-enqueues
 * dispatch for targets left pending without a job.
 */
@Injectable()
export class TaskSweeper {
  private readonly logger = new Logger(TaskSweeper.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly progress: TaskProgress,
    private readonly outbox: Outbox,
    private readonly producer: JobProducer,
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

    const stuck = await this.prisma.taskTarget.groupBy({
      by: ['taskId', 'accountId', 'batch'],
      where: {
        status: 'pending',
        updatedAt: { lt: new Date(now.getTime() - STUCK_PENDING_MS) },
        OR: [{ waitUntil: null }, { waitUntil: { lt: now } }],
        task: { cancelledAt: null, abortedAt: null },
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
