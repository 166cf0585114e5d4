import { Injectable, Logger } from '@nestjs/common';
import { isFinalStatus, isRepeatableOperation, type Operation, type OperationType } from '@fleetgate/domain';
import { type Task, Transactions } from '@fleetgate/persistence';
import { jobIdOf, Outbox, PermanentJobError, type TaskBatchRef } from '@fleetgate/queues';
import { type DispatchOutcome, VendorAccountService, VendorError } from '@fleetgate/vendors';
import { systemScope } from '../scope/access-scope';
import { TaskProgress } from './task-progress';
import {
  type BatchKey,
  type ClaimedTarget,
  type StoppedTarget,
  type TargetOutcomeRow,
  TaskTargetRepository,
} from './task-target.repository';
import { TaskRepository } from './task.repository';

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

/** Dispatch is work no user asked for at that moment: it sends the batches of every task. */
const DISPATCH_SCOPE = systemScope('a dispatch job sends a batch of any task');

export interface DispatchReport {
  sent: number;
  skipped?: string;
  settledUnknown?: number;
  waiting?: number;
}

export function dispatchJobId(
  ref: { taskId: string; accountId: string; batch: number; generation: number },
  round: number,
): string {
  return jobIdOf('tasks.dispatch', ref.taskId, ref.accountId, ref.batch, `g${ref.generation}`, `r${round}`);
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
    private readonly tasks: TaskRepository,
    private readonly targets: TaskTargetRepository,
    private readonly accounts: VendorAccountService,
    private readonly progress: TaskProgress,
    private readonly transactions: Transactions,
    private readonly outbox: Outbox,
  ) {}

  async dispatch(job: TaskBatchRef & { round: number }): Promise<DispatchReport> {
    const task = await this.tasks.find(DISPATCH_SCOPE, job.taskId);
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
    // Recorded as cancelled before the operation is sent: see TaskProgress.stopRunsEndedBy.
    const stopped = await this.progress.stopRunsEndedBy(
      DISPATCH_SCOPE,
      job.accountId,
      adapter.endedVendorTasks?.(operation, vendorRefs) ?? [],
      `stopped by task ${task.id} (${task.operationType})`,
    );
    const renewal = setInterval(() => void this.renewClaim(toSend), CLAIM_RENEW_MS);
    try {
      outcomes = await adapter.dispatch(operation, vendorRefs);
    } catch (error) {
      if (!(error instanceof VendorError)) throw error;
      await this.resumeStopped(job.accountId, stopped);
      if (error.refusedUpFront && error.kind !== 'unauthorized') {
        // Nothing ran: put the targets back and let BullMQ try the job again after its backoff.
        await this.targets.release(
          DISPATCH_SCOPE,
          toSend.map((target) => target.id),
        );
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
   * The vendor refused the operation that would have ended these runs: they run on (see
   * TaskProgress.resumeStopped), and their tasks' statuses follow.
   */
  private async resumeStopped(accountId: string, stopped: StoppedTarget[]): Promise<void> {
    if (stopped.length === 0) return;
    const tasks = await this.tasks.generations(DISPATCH_SCOPE, [...new Set(stopped.map((target) => target.taskId))]);
    await this.progress.resumeStopped(
      DISPATCH_SCOPE,
      accountId,
      stopped,
      new Map(tasks.map((task) => [task.id, task.generation])),
      stopped[0].message,
    );
    for (const { id } of tasks) await this.progress.refreshTask(id);
  }

  /** Claims the batch's due pending targets (see TaskTargetRepository.claim). */
  private claim(task: Task, batch: BatchKey): Promise<ClaimedTarget[]> {
    return this.targets.claim(DISPATCH_SCOPE, batch, task.targetTimeoutSeconds);
  }

  /** Claims again, to send them again, targets of a repeatable operation whose dispatch was cut off. */
  private takeOverCutOff(task: Task, batch: BatchKey): Promise<ClaimedTarget[]> {
    return this.targets.takeOverCutOff(DISPATCH_SCOPE, batch, task.targetTimeoutSeconds, CLAIM_LEASE_MS);
  }

  /** Settles as failed the targets of a non-repeatable operation whose dispatch was cut off. */
  private settleCutOff(batch: BatchKey, error: { code: string; message: string }): Promise<number> {
    return this.targets.settleCutOff(DISPATCH_SCOPE, batch, CLAIM_LEASE_MS, error);
  }

  /** Keeps this dispatch's claim alive while the vendor call runs; a failed renewal only shortens it. */
  private renewClaim(targets: ClaimedTarget[]): void {
    this.targets
      .renewClaim(
        DISPATCH_SCOPE,
        targets.map((target) => target.id),
      )
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not renew a dispatch claim'));
  }

  /**
   * A batch with nothing to send now may still owe a dispatch: its not-before time is ahead (this job
   * ran early), or another dispatch holds a claim that may yet run out. One more dispatch is staged
   * for then, so the batch does not wait for the sweeper.
   */
  private async comeBackLater(job: TaskBatchRef & { round: number }): Promise<string | undefined> {
    const due = await this.targets.nextDue(DISPATCH_SCOPE, job, CLAIM_LEASE_MS);
    if (!due?.reason || due.delayMs === null) return undefined;
    const next = { ...job, round: job.round + 1 };
    await this.transactions.run((tx) =>
      this.outbox.stage(tx, 'tasks.dispatch', next, followUpJobId(job, next.round), Math.max(0, due.delayMs!) + 100),
    );
    this.outbox.relaySoon();
    return due.reason;
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
    // One row per target, all written by one UPDATE: a round trip per target would outweigh the rest
    // of a batch's work.
    // A null leaves the column as it was (result, finished_at, wait_until), as Prisma's update would.
    const rows = sent.map((target) => {
      const outcome = byRef.get(target.vendorRef) ?? {
        vendorRef: target.vendorRef,
        status: 'failed' as const,
        error: { code: 'no_answer', message: 'the vendor answered nothing for this device' },
      };
      const row: TargetOutcomeRow = {
        id: target.id,
        vendorTaskId: outcome.vendorTaskId ?? null,
        // As JSON: one text per row, since unnest cannot take an array of arrays of different lengths.
        vendorTaskIds: JSON.stringify(outcome.vendorTaskIds ?? (outcome.vendorTaskId ? [outcome.vendorTaskId] : [])),
        result: outcome.result !== undefined ? JSON.stringify(outcome.result) : null,
        errorCode: outcome.error?.code ?? null,
        errorMessage: outcome.error?.message ?? null,
        status: 'running',
        finishedAt: null,
        waitUntil: null,
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
    await this.transactions.run(async (tx) => {
      await this.targets.recordOutcomes(DISPATCH_SCOPE, rows, tx);
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

  private settle(targets: ClaimedTarget[], error: { code: string; message: string }): Promise<number> {
    return this.targets.fail(
      DISPATCH_SCOPE,
      targets.map((target) => target.id),
      error,
    );
  }

  /**
   * Abort criteria: once `abortMinTargets` targets have finished, a failure share at or above
   * `abortFailurePercent` stops the rollout; targets not sent yet are cancelled.
   */
  private async abortIfFailing(task: Task): Promise<boolean> {
    if (!task.abortFailurePercent) return false;
    const rows = await this.targets.finishedCounts(DISPATCH_SCOPE, task.id);
    const finished = rows.reduce((sum, row) => sum + row.count, 0);
    const failed = rows.filter((row) => row.status !== 'succeeded').reduce((sum, row) => sum + row.count, 0);
    if (finished < (task.abortMinTargets ?? 1) || failed * 100 < task.abortFailurePercent * finished) return false;
    await this.progress.stopUnsent(DISPATCH_SCOPE, task.id, 'aborted', {
      code: 'aborted',
      message: `rollout aborted: ${failed} of ${finished} finished targets failed`,
    });
    this.logger.warn({ taskId: task.id, failed, finished }, 'rollout aborted by its failure threshold');
    await this.progress.refreshTask(task.id);
    return true;
  }
}
