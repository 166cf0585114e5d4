import { Injectable, Logger } from '@nestjs/common';
import { isFinalStatus, isRepeatableOperation, type Operation, type OperationType } from '@fleetgate/domain';
import { type Prisma, PrismaService, type Task, type TaskTarget } from '@fleetgate/persistence';
import { jobIdOf, Outbox, PermanentJobError, type TaskBatchRef } from '@fleetgate/queues';
import { type DispatchOutcome, VendorAccountService, VendorError } from '@fleetgate/vendors';
import { TaskProgress } from './task-progress';
import { dispatchJobId } from './task.service';

/** First poll of a batch's vendor tasks, after its dispatch. */
const FIRST_POLL_DELAY_MS = 1_000;
/** Longest wait between two tries of an offline device. */
const MAX_OFFLINE_WAIT_MS = 60_000;

export interface DispatchReport {
  sent: number;
  skipped?: string;
  settledUnknown?: number;
  waiting?: number;
}

export function pollJobId(ref: TaskBatchRef, round: number): string {
  return jobIdOf('tasks.poll', ref.taskId, ref.accountId, ref.batch, `g${ref.generation}`, `r${round}`);
}

/**
 * Sends one batch of a task's targets to its vendor account. Targets are claimed (status
 * `dispatching`) before the call and their outcomes, vendor task ids included, are saved before the
 * job ends. A batch found with targets still `dispatching` was cut off mid-send by a crash: a
 * repeatable operation is sent again, any other is settled as failed, never sent twice.
 */
@Injectable()
export class TaskDispatcher {
  private readonly logger = new Logger(TaskDispatcher.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: VendorAccountService,
    private readonly progress: TaskProgress,
    private readonly outbox: Outbox,
  ) {}

  async dispatch(job: TaskBatchRef & { round: number }): Promise<DispatchReport> {
    const task = await this.prisma.task.findUnique({ where: { id: job.taskId } });
    if (!task) return { sent: 0, skipped: 'task deleted' };
    if (task.generation !== job.generation) return { sent: 0, skipped: 'superseded by a retry' };
    if (task.cancelledAt) return { sent: 0, skipped: 'task cancelled' };
    if (task.abortedAt || (await this.abortIfFailing(task))) return { sent: 0, skipped: 'task aborted' };

    const batch = { taskId: task.id, accountId: job.accountId, batch: job.batch };
    const type = task.operationType as OperationType;
    const interrupted = await this.prisma.taskTarget.findMany({ where: { ...batch, status: 'dispatching' } });
    let settledUnknown = 0;
    if (interrupted.length > 0 && !isRepeatableOperation(type)) {
      settledUnknown = await this.settle(interrupted, {
        code: 'dispatch_unknown',
        message: `a dispatch was cut off; ${type} is not sent twice, so whether the device got it is unknown`,
      });
    }
    await this.expireOfflineWaits(task, batch);
    const claimed = await this.claim(task, batch);
    const toSend = isRepeatableOperation(type) ? [...interrupted, ...claimed] : claimed;
    if (toSend.length === 0) {
      await this.progress.refreshTask(task.id);
      return { sent: 0, settledUnknown, skipped: 'nothing due' };
    }

    const adapter = await this.accounts.adapterFor(job.accountId);
    const operation = { type, params: task.params } as Operation;
    let outcomes: DispatchOutcome[];
    try {
      outcomes = await adapter.dispatch(
        operation,
        toSend.map((target) => target.vendorRef),
      );
    } catch (error) {
      if (!(error instanceof VendorError)) throw error;
      if (error.refusedUpFront && error.kind !== 'unauthorized') {
        // Nothing ran: put the targets back and let BullMQ try the job again after its backoff.
        await this.prisma.taskTarget.updateMany({
          where: { id: { in: toSend.map((target) => target.id) }, status: 'dispatching' },
          data: { status: 'pending' },
        });
        throw error;
      }
      await this.settle(toSend, { code: error.vendorCode, message: error.vendorMessage });
      await this.progress.refreshTask(task.id);
      throw new PermanentJobError(`${error.vendor} refused the batch: ${error.vendorMessage} (${error.vendorCode})`);
    }
    const waiting = await this.record(task, job, toSend, outcomes);
    this.outbox.relaySoon();
    await this.progress.refreshTask(task.id);
    return { sent: toSend.length, settledUnknown, waiting };
  }

  /** Claims the batch's due pending targets; a target claimed is one this job may send. */
  private async claim(task: Task, batch: { taskId: string; accountId: string; batch: number }): Promise<TaskTarget[]> {
    const now = new Date();
    const due: Prisma.TaskTargetWhereInput = {
      ...batch,
      status: 'pending',
      OR: [{ waitUntil: null }, { waitUntil: { lte: now } }],
    };
    const targets = await this.prisma.taskTarget.findMany({ where: due });
    if (targets.length === 0) return [];
    await this.prisma.taskTarget.updateMany({
      where: { id: { in: targets.map((target) => target.id) }, status: 'pending' },
      data: {
        status: 'dispatching',
        attempts: { increment: 1 },
        dispatchedAt: now,
        deadlineAt: new Date(now.getTime() + task.targetTimeoutSeconds * 1000),
      },
    });
    return targets;
  }

  /**
   * Saves each target's outcome in one transaction with the jobs that follow (the poll of its
   * vendor tasks, another try for offline devices), so a crash cannot keep one without the other.
   */
  private async record(
    task: Task,
    job: TaskBatchRef & { round: number },
    sent: TaskTarget[],
    outcomes: DispatchOutcome[],
  ): Promise<number> {
    const byRef = new Map(outcomes.map((outcome) => [outcome.vendorRef, outcome]));
    const now = Date.now();
    const offlineUntil = task.offlineTtlSeconds ? task.createdAt.getTime() + task.offlineTtlSeconds * 1000 : 0;
    const waitMs = Math.min(MAX_OFFLINE_WAIT_MS, 2_000 * 2 ** job.round);
    let waiting = 0;
    let polling = false;
    // One row per target, written by one UPDATE: a statement per target was most of a batch's cost.
    // A null leaves the column as it was (result, finished_at, wait_until), as Prisma's update would.
    const rows = sent.map((target) => {
      const outcome = byRef.get(target.vendorRef) ?? {
        vendorRef: target.vendorRef,
        status: 'failed' as const,
        error: { code: 'no_answer', message: 'the vendor answered nothing for this device' },
      };
      const row = {
        id: target.id,
        vendorTaskId: outcome.vendorTaskId ?? null,
        // As JSON: one text per row, since unnest cannot take an array of arrays of different lengths.
        vendorTaskIds: JSON.stringify(outcome.vendorTaskIds ?? (outcome.vendorTaskId ? [outcome.vendorTaskId] : [])),
        result: outcome.result !== undefined ? JSON.stringify(outcome.result) : null,
        errorCode: outcome.error?.code ?? null,
        errorMessage: outcome.error?.message ?? null,
        status: 'running',
        finishedAt: null as string | null,
        waitUntil: null as string | null,
      };
      if (outcome.error?.deviceOffline && offlineUntil > now) {
        waiting++;
        row.status = 'pending';
        row.waitUntil = new Date(Math.min(offlineUntil, now + waitMs)).toISOString();
      } else if (isFinalStatus(outcome.status)) {
        row.status = outcome.status;
        row.finishedAt = new Date().toISOString();
      } else {
        polling ||= outcome.vendorTaskId !== undefined;
      }
      return row;
    });
    const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        UPDATE task_targets AS t
        SET vendor_task_id = o.vendor_task_id,
            vendor_task_ids = ARRAY(SELECT jsonb_array_elements_text(o.vendor_task_ids::jsonb)),
            result = COALESCE(o.result::jsonb, t.result),
            error_code = o.error_code,
            error_message = o.error_message,
            status = o.status,
            finished_at = COALESCE(o.finished_at, t.finished_at),
            wait_until = COALESCE(o.wait_until, t.wait_until),
            updated_at = now()
        FROM unnest(${column('id')}::uuid[], ${column('vendorTaskId')}::text[], ${column('vendorTaskIds')}::text[],
                    ${column('result')}::text[], ${column('errorCode')}::text[], ${column('errorMessage')}::text[],
                    ${column('status')}::text[], ${column('finishedAt')}::timestamptz[], ${column('waitUntil')}::timestamptz[])
             AS o(id, vendor_task_id, vendor_task_ids, result, error_code, error_message, status, finished_at, wait_until)
        WHERE t.id = o.id`;
      if (polling) {
        await this.outbox.stage(tx, 'tasks.poll', { ...job, round: 0 }, pollJobId(job, 0), FIRST_POLL_DELAY_MS);
      }
      if (waiting > 0) {
        const next = { ...job, round: job.round + 1 };
        await this.outbox.stage(tx, 'tasks.dispatch', next, dispatchJobId(job, next.round), waitMs);
      }
    });
    return waiting;
  }

  /** Targets whose offline wait outlived the task's time-to-live fail with the offline error they had. */
  private async expireOfflineWaits(task: Task, batch: { taskId: string; accountId: string; batch: number }) {
    if (!task.offlineTtlSeconds) return;
    const ttlEnd = new Date(task.createdAt.getTime() + task.offlineTtlSeconds * 1000);
    if (ttlEnd.getTime() > Date.now()) return;
    await this.progress.move(
      { ...batch, status: 'pending', waitUntil: { not: null } },
      {
        status: 'failed',
        error: { code: 'device_offline', message: 'the device stayed offline past the task’s time-to-live' },
      },
    );
  }

  private async settle(targets: TaskTarget[], error: { code: string; message: string }): Promise<number> {
    const { count } = await this.prisma.taskTarget.updateMany({
      where: { id: { in: targets.map((target) => target.id) }, status: { in: ['pending', 'dispatching'] } },
      data: { status: 'failed', errorCode: error.code, errorMessage: error.message, finishedAt: new Date() },
    });
    return count;
  }

  /**
   * Abort criteria: once `abortMinTargets` targets have finished, a failure share at or above
   * `abortFailurePercent` stops the rollout; targets not sent yet are cancelled.
   */
  private async abortIfFailing(task: Task): Promise<boolean> {
    if (!task.abortFailurePercent) return false;
    const rows = await this.prisma.taskTarget.groupBy({
      by: ['status'],
      where: { taskId: task.id, status: { in: ['succeeded', 'failed', 'timed_out'] } },
      _count: { _all: true },
    });
    const finished = rows.reduce((sum, row) => sum + row._count._all, 0);
    const failed = rows.filter((row) => row.status !== 'succeeded').reduce((sum, row) => sum + row._count._all, 0);
    if (finished < (task.abortMinTargets ?? 1) || failed * 100 < task.abortFailurePercent * finished) return false;
    const now = new Date();
    await this.prisma.$transaction([
      this.prisma.task.update({ where: { id: task.id }, data: { abortedAt: now } }),
      this.prisma.taskTarget.updateMany({
        where: { taskId: task.id, status: 'pending' },
        data: {
          status: 'cancelled',
          finishedAt: now,
          errorCode: 'aborted',
          errorMessage: `rollout aborted: ${failed} of ${finished} finished targets failed`,
        },
      }),
    ]);
    this.logger.warn({ taskId: task.id, failed, finished }, 'rollout aborted by its failure threshold');
    await this.progress.refreshTask(task.id);
    return true;
  }
}
