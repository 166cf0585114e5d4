import { Injectable } from '@nestjs/common';
import { JobProducer, type TaskBatchRef } from '@fleetgate/queues';
import { supports, VendorAccountService } from '@fleetgate/vendors';
import { systemScope } from '../scope/access-scope';
import { pollJobId } from './task-dispatcher';
import { TaskProgress } from './task-progress';
import { TaskTargetRepository } from './task-target.repository';
import { TaskRepository } from './task.repository';

const MAX_POLL_DELAY_MS = 30_000;
/** A poll job follows a batch of any task. */
const POLL_SCOPE = systemScope('a poll job follows a batch of any task');

/** Backoff between polls of one batch: 1 s, 2 s, 4 s ... up to 30 s. */
export function pollDelayMs(round: number): number {
  return Math.min(MAX_POLL_DELAY_MS, 1_000 * 2 ** round);
}

export interface PollReport {
  polled: number;
  stillRunning: number;
  timedOut: number;
}

/**
 * Follows one batch's vendor tasks: reads their state, applies it (the same way callbacks are
 * applied), settles targets past their deadline, and polls again with backoff while any still run.
 */
@Injectable()
export class TaskPoller {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly targets: TaskTargetRepository,
    private readonly accounts: VendorAccountService,
    private readonly progress: TaskProgress,
    private readonly producer: JobProducer,
  ) {}

  async poll(job: TaskBatchRef & { round: number }): Promise<PollReport> {
    const generation = await this.tasks.generation(POLL_SCOPE, job.taskId);
    if (generation === undefined || generation !== job.generation) return { polled: 0, stillRunning: 0, timedOut: 0 };
    const batch = { taskId: job.taskId, accountId: job.accountId, batch: job.batch };
    const running = await this.targets.runningVendorTasks(POLL_SCOPE, batch);
    const adapter = await this.accounts.adapterFor(job.accountId);
    // A target may own several vendor tasks; each is read, and the target ends from all of them.
    const ids = [...new Set(running.flatMap((target) => [target.vendorTaskId!, ...(target.vendorTaskIds ?? [])]))];
    if (ids.length > 0 && supports(adapter, 'tasks.poll')) {
      await this.progress.apply(job.accountId, await adapter.pollTasks(ids));
    }
    const timedOut = await this.progress.move(
      { ...batch, status: { in: ['running', 'dispatching'] }, deadlineAt: { lt: new Date() } },
      {
        status: 'timed_out',
        error: { code: 'deadline', message: 'no final answer from the vendor before the deadline' },
      },
    );
    if (timedOut.length) await this.progress.refreshTask(job.taskId);
    const stillRunning = await this.targets.countRunning(POLL_SCOPE, batch);
    if (stillRunning > 0) {
      const next = { ...job, round: job.round + 1 };
      await this.producer.enqueue('tasks.poll', next, {
        jobId: pollJobId(job, next.round),
        delay: pollDelayMs(job.round),
      });
    }
    return { polled: ids.length, stillRunning, timedOut: timedOut.length };
  }
}
