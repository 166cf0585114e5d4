import { Injectable, Logger } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { jobIdOf, JobProducer, Outbox } from '@fleetgate/queues';
import { systemScope } from '../scope/access-scope';
import { CLAIM_LEASE_MS, dispatchJobId } from './task-dispatcher';
import { TaskProgress } from './task-progress';
import { TaskTargetRepository } from './task-target.repository';
import { TaskRepository } from './task.repository';

/** The sweeper looks after the targets of every task. */
const SWEEP_SCOPE = systemScope('the sweeper recovers stuck targets of every task');

export interface SweepReport {
  timedOut: number;
  redispatched: number;
  relayed: number;
  /** Tasks whose targets were still unwritten past the horizon: their write was enqueued again. */
  reprepared: number;
}

/** Tasks read per page while looking for writes of targets that lost their job. */
const UNWRITTEN_PAGE = 100;

/**
 * The safety net, run on a schedule by one worker at a time: relays outbox rows that no process
 * relayed, settles targets past their deadline (vendor silent, worker lost), re-enqueues dispatch for
 * batches left without a job (due targets still pending, or claims that ran out), and the writing of
 * targets for tasks accepted before them whose job was lost.
 */
@Injectable()
export class TaskSweeper {
  private readonly logger = new Logger(TaskSweeper.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly targets: TaskTargetRepository,
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
    const stuck = await this.targets.stuckBatches(SWEEP_SCOPE, {
      now,
      horizon,
      claimsBefore: new Date(now.getTime() - CLAIM_LEASE_MS),
    });
    const sweepRound = Math.floor(now.getTime() / 60_000);
    for (const { taskId, accountId, batch } of stuck) {
      const generation = await this.tasks.generation(SWEEP_SCOPE, taskId);
      if (generation === undefined) continue;
      const ref = { taskId, accountId, batch, generation };
      // A round of its own per sweep minute: a new job id, never one that already ran.
      await this.producer.enqueue(
        'tasks.dispatch',
        { ...ref, round: sweepRound },
        { jobId: dispatchJobId(ref, sweepRound) },
      );
    }
    // Every one, a page at a time: a write that keeps failing must not hide the ones behind it.
    let reprepared = 0;
    for await (const taskId of this.tasks.unwritten(SWEEP_SCOPE, UNWRITTEN_PAGE, horizon)) {
      await this.producer.enqueue('tasks.prepare', { taskId }, { jobId: jobIdOf('tasks.prepare', taskId, sweepRound) });
      reprepared++;
    }
    if (expired.length || stuck.length || reprepared) {
      this.logger.warn(
        { timedOutTasks: expired.length, redispatched: stuck.length, reprepared },
        'swept stuck targets',
      );
    }
    return { timedOut: expired.length, redispatched: stuck.length, relayed, reprepared };
  }
}
