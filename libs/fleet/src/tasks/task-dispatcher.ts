import { Injectable, Logger } from '@nestjs/common';
import { isFinalStatus, isRepeatableOperation, type Operation, type OperationType } from '@fleetgate/domain';
import { PrismaService, type Task } from '@fleetgate/persistence';
import { jobIdOf, Outbox, PermanentJobError, type TaskBatchRef } from '@fleetgate/queues';
import { type DispatchOutcome, VendorAccountService, VendorError } from '@fleetgate/vendors';
import { TaskProgress } from './task-progress';
import { dispatchJobId } from './task.service';

/** First poll of a batch's vendor tasks, after its dispatch. */
const FIRST_POLL_DELAY_MS = 1_000;
/** Longest wait between two tries of an offline device. */
const MAX_OFFLINE_WAIT_MS = 60_000;
/** How often a dispatch renews its claim on the targets it is sending. */
const CLAIM_RENEW_MS = 5_000;
/**
 * A target `dispatching` whose claim went unrenewed this long was cut off mid-send (its worker died);
 * younger, it belongs to a dispatch still running, which another dispatch leaves alone.
 */
export const CLAIM_LEASE_MS = 20_000;

/** A target claimed by a dispatch: the one dispatch that may send it. */
interface ClaimedTarget {
  id: string;
  vendorRef: string;
}
type BatchKey = { taskId: string; accountId: string; batch: number };
/** A running target recorded as cancelled because the operation being sent ends its vendor run. */
interface StoppedTarget {
  id: string;
  taskId: string;
  batch: number;
  message: string;
}

export interface DispatchReport {
  sent: number;
  skipped?: string;
  settledUnknown?: number;
  waiting?: number;
}

export function pollJobId(ref: TaskBatchRef, round: number): string {
  return jobIdOf('tasks.poll', ref.taskId, ref.accountId, ref.batch, `g${ref.generation}`, `r${round}`);
}

/** The dispatch that comes back to a batch found with nothing to send yet (not due, or in flight elsewhere). */
function followUpJobId(ref: TaskBatchRef, round: number): string {
  return jobIdOf('tasks.dispatch', ref.taskId, ref.accountId, ref.batch, `g${ref.generation}`, `r${round}`, 'later');
}

/**
 * Sends one batch of a task's targets to its vendor account. Targets are claimed (status
 * `dispatching`, by one UPDATE that only takes rows still pending) before the call, so of several
 * dispatches of one batch at once each target goes out with one of them; the claim is renewed while
 * the call runs, and outcomes, vendor task ids included, are saved before the job ends. Targets
 * found `dispatching` under a claim that ran out were cut off mid-send by a crash: a repeatable
 * operation is sent again, any other is settled as failed, never sent twice.
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
    let settledUnknown = 0;
    let resent: ClaimedTarget[] = [];
    if (isRepeatableOperation(type)) {
      resent = await this.takeOverCutOff(task, batch);
    } else {
      settledUnknown = await this.settleCutOff(batch, {
        code: 'dispatch_unknown',
        message: `a dispatch was cut off; ${type} is not sent twice, so whether the device got it is unknown`,
      });
    }
    await this.expireOfflineWaits(task, batch);
    const toSend = [...resent, ...(await this.claim(task, batch))];
    if (toSend.length === 0) {
      const later = await this.comeBackLater(job);
      await this.progress.refreshTask(task.id);
      return { sent: 0, settledUnknown, skipped: later ?? 'nothing due' };
    }

    const adapter = await this.accounts.adapterFor(job.accountId);
    const operation = { type, params: task.params } as Operation;
    let outcomes: DispatchOutcome[];
    const vendorRefs = toSend.map((target) => target.vendorRef);
    const stopped = await this.recordStopped(
      task,
      job.accountId,
      adapter.endedVendorTasks?.(operation, vendorRefs) ?? [],
    );
    const renewal = setInterval(() => void this.renewClaim(toSend), CLAIM_RENEW_MS);
    try {
      outcomes = await adapter.dispatch(operation, vendorRefs);
    } catch (error) {
      if (!(error instanceof VendorError)) throw error;
      await this.resumeStopped(job.accountId, stopped);
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
    } finally {
      clearInterval(renewal);
    }
    const waiting = await this.record(task, job, toSend, outcomes);
    this.outbox.relaySoon();
    await this.progress.refreshTask(task.id);
    return { sent: toSend.length, settledUnknown, waiting };
  }

  /**
   * Records as cancelled, before the operation is sent, the running targets (of any task on this
   * account) that follow the vendor runs it ends: a vendor that reads a device leaving its run as the
   * run's end (EasyClick) would otherwise let a poll record Fleetgate's own stop as a success.
   */
  private async recordStopped(task: Task, accountId: string, endedVendorTaskIds: string[]): Promise<StoppedTarget[]> {
    if (endedVendorTaskIds.length === 0) return [];
    const message = `stopped by task ${task.id} (${task.operationType})`;
    const stopped = await this.prisma.$queryRaw<StoppedTarget[]>`
      UPDATE task_targets
      SET status = 'cancelled', error_code = 'cancelled', error_message = ${message},
          finished_at = now(), updated_at = now()
      WHERE account_id = ${accountId}::uuid AND status = 'running'
        AND (vendor_task_id = ANY(${endedVendorTaskIds}::text[]) OR vendor_task_ids && ${endedVendorTaskIds}::text[])
      RETURNING id::text, task_id::text AS "taskId", batch, error_message AS "message"`;
    for (const taskId of new Set(stopped.map((target) => target.taskId))) await this.progress.refreshTask(taskId);
    return stopped;
  }

  /**
   * The vendor refused the operation that would have ended these runs: they run on, so their targets
   * are running again and their batches are polled afresh (a poll that found them final has stopped).
   */
  private async resumeStopped(accountId: string, stopped: StoppedTarget[]): Promise<void> {
    if (stopped.length === 0) return;
    const tasks = await this.prisma.task.findMany({
      where: { id: { in: [...new Set(stopped.map((target) => target.taskId))] } },
      select: { id: true, generation: true },
    });
    await this.prisma.$transaction(async (tx) => {
      await tx.taskTarget.updateMany({
        where: {
          id: { in: stopped.map((target) => target.id) },
          status: 'cancelled',
          errorCode: 'cancelled',
          errorMessage: stopped[0].message,
        },
        data: { status: 'running', finishedAt: null, errorCode: null, errorMessage: null },
      });
      for (const { id, generation } of tasks) {
        for (const batch of new Set(stopped.filter((target) => target.taskId === id).map((target) => target.batch))) {
          const ref = { taskId: id, accountId, batch, generation };
          // A job id of its own: the batch's earlier poll jobs keep theirs, and may have ended.
          const jobId = jobIdOf('tasks.poll', id, accountId, batch, `g${generation}`, `resumed${Date.now()}`);
          await this.outbox.stage(tx, 'tasks.poll', { ...ref, round: 0 }, jobId);
        }
      }
    });
    this.outbox.relaySoon();
    for (const { id } of tasks) await this.progress.refreshTask(id);
  }

  /**
   * Claims the batch's due pending targets: those past their offline wait and their batch's
   * not-before time. One UPDATE takes only rows still pending and answers the rows it changed, so a
   * target claimed is one no other dispatch of the batch has.
   */
  private claim(task: Task, batch: BatchKey): Promise<ClaimedTarget[]> {
    return this.prisma.$queryRaw<ClaimedTarget[]>`
      UPDATE task_targets
      SET status = 'dispatching', attempts = attempts + 1, dispatched_at = now(), updated_at = now(),
          deadline_at = now() + make_interval(secs => ${task.targetTimeoutSeconds})
      WHERE task_id = ${batch.taskId}::uuid AND account_id = ${batch.accountId}::uuid AND batch = ${batch.batch}
        AND status = 'pending'
        AND (wait_until IS NULL OR wait_until <= now())
        AND (not_before IS NULL OR not_before <= now())
      RETURNING id::text, vendor_ref AS "vendorRef"`;
  }

  /** Claims again, to send them again, targets of a repeatable operation whose dispatch was cut off. */
  private takeOverCutOff(task: Task, batch: BatchKey): Promise<ClaimedTarget[]> {
    return this.prisma.$queryRaw<ClaimedTarget[]>`
      UPDATE task_targets
      SET attempts = attempts + 1, dispatched_at = now(), updated_at = now(),
          deadline_at = now() + make_interval(secs => ${task.targetTimeoutSeconds})
      WHERE task_id = ${batch.taskId}::uuid AND account_id = ${batch.accountId}::uuid AND batch = ${batch.batch}
        AND status = 'dispatching' AND updated_at < now() - make_interval(secs => ${CLAIM_LEASE_MS / 1000})
      RETURNING id::text, vendor_ref AS "vendorRef"`;
  }

  /** Settles as failed the targets of a non-repeatable operation whose dispatch was cut off. */
  private settleCutOff(batch: BatchKey, error: { code: string; message: string }): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE task_targets
      SET status = 'failed', error_code = ${error.code}, error_message = ${error.message},
          finished_at = now(), updated_at = now()
      WHERE task_id = ${batch.taskId}::uuid AND account_id = ${batch.accountId}::uuid AND batch = ${batch.batch}
        AND status = 'dispatching' AND updated_at < now() - make_interval(secs => ${CLAIM_LEASE_MS / 1000})`;
  }

  /** Keeps this dispatch's claim alive while the vendor call runs; a failed renewal only shortens it. */
  private renewClaim(targets: ClaimedTarget[]): void {
    this.prisma.$executeRaw`
      UPDATE task_targets SET updated_at = now()
      WHERE id = ANY(${targets.map((target) => target.id)}::uuid[]) AND status = 'dispatching'`.catch(
      (error: unknown) => this.logger.warn({ err: error }, 'could not renew a dispatch claim'),
    );
  }

  /**
   * A batch with nothing to send now may still owe a dispatch: its not-before time is ahead (this job
   * ran early), or another dispatch holds a claim that may yet run out. One more dispatch is staged
   * for then, so the batch does not wait for the sweeper.
   */
  private async comeBackLater(job: TaskBatchRef & { round: number }): Promise<string | undefined> {
    const [row] = await this.prisma.$queryRaw<Array<{ delay_ms: number | null; reason: string | null }>>`
      SELECT ceil(extract(epoch FROM least(
               min(not_before) FILTER (WHERE status = 'pending' AND not_before > now()),
               max(updated_at) FILTER (WHERE status = 'dispatching')
                 + make_interval(secs => ${CLAIM_LEASE_MS / 1000})) - now()) * 1000)::int AS delay_ms,
             CASE WHEN bool_or(status = 'dispatching') THEN 'in flight with another dispatch'
                  WHEN bool_or(status = 'pending' AND not_before > now()) THEN 'not due yet' END AS reason
      FROM task_targets
      WHERE task_id = ${job.taskId}::uuid AND account_id = ${job.accountId}::uuid AND batch = ${job.batch}
        AND status IN ('pending', 'dispatching')`;
    if (!row?.reason || row.delay_ms === null) return undefined;
    const next = { ...job, round: job.round + 1 };
    await this.prisma.$transaction((tx) =>
      this.outbox.stage(tx, 'tasks.dispatch', next, followUpJobId(job, next.round), Math.max(0, row.delay_ms!) + 100),
    );
    this.outbox.relaySoon();
    return row.reason;
  }

  /**
   * Saves each target's outcome in one transaction with the jobs that follow (the poll of its
   * vendor tasks, another try for offline devices), so a crash cannot keep one without the other.
   */
  private async record(
    task: Task,
    job: TaskBatchRef & { round: number },
    sent: ClaimedTarget[],
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
        WHERE t.id = o.id AND t.status = 'dispatching'`;
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
  private async expireOfflineWaits(task: Task, batch: BatchKey) {
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

  private async settle(targets: ClaimedTarget[], error: { code: string; message: string }): Promise<number> {
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
