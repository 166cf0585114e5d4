import { Injectable } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { JobProducer, type TaskBatchRef } from '@fleetgate/queues';
import { supports, VendorAccountService } from '@fleetgate/vendors';
import { pollJobId } from './task-dispatcher';
import { TaskProgress } from './task-progress';

const MAX_POLL_DELAY_MS = 30_000;

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
    private readonly prisma: PrismaService,
    private readonly accounts: VendorAccountService,
    private readonly progress: TaskProgress,
    private readonly producer: JobProducer,
  ) {}

  async poll(job: TaskBatchRef & { round: number }): Promise<PollReport> {
    const task = await this.prisma.task.findUnique({ where: { id: job.taskId }, select: { generation: true } });
    if (!task || task.generation !== job.generation) return { polled: 0, stillRunning: 0, timedOut: 0 };
    const batch = { taskId: job.taskId, accountId: job.accountId, batch: job.batch };
    const running = await this.prisma.taskTarget.findMany({
      where: { ...batch, status: 'running', vendorTaskId: { not: null } },
      select: { vendorTaskId: true, vendorTaskIds: true },
    });
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
    const stillRunning = await this.prisma.taskTarget.count({ where: { ...batch, status: 'running' } });
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
