import { Injectable } from '@nestjs/common';
import { aggregateStatus, isFinalStatus, type TaskStatus } from '@fleetgate/domain';
import { type Prisma, Transactions } from '@fleetgate/persistence';
import { jobIdOf, Outbox } from '@fleetgate/queues';
import type { VendorTaskProgress } from '@fleetgate/vendors';
import { FleetEvents } from '../events/fleet-events';
import { type AccessScope, systemScope } from '../scope/access-scope';
import { CoalescedRuns } from './coalesced-runs';
import { TaskTargetRepository, type StoppedTarget } from './task-target.repository';
import { TaskRepository, type TaskStop } from './task.repository';

/** States a target may move from, for each state it moves to: never backwards, never out of a final state. */
const MOVABLE_FROM: Readonly<Record<'running' | 'final', string[]>> = {
  running: ['pending', 'dispatching'],
  final: ['pending', 'dispatching', 'running'],
};

/** Vendor progress, deadlines and a task's status follow the targets wherever they are, whoever owns them. */
const PROGRESS_SCOPE = systemScope('vendor progress and deadlines move targets of every task');

/**
 * How long stopping a task's unsent targets may take: a task of 100,000 pending targets is one
 * UPDATE of them all, several seconds on a loaded machine.
 */
const STOP_TRANSACTION = { timeoutMs: 60_000, maxWaitMs: 10_000 };

export interface TargetChange {
  status: TaskStatus;
  vendorStatus?: string;
  result?: unknown;
  error?: { code: string; message: string };
}

/**
 * The one place target states change once they left their dispatch: polling, callbacks, the
 * sweeper, cancel, a rollout's abort, and a dispatch whose operation ends other runs all go through
 * here, so they converge on one state. (The dispatcher itself moves only the targets it claimed, on
 * their way out: pending → dispatching → running or final.) A target only moves forward (pending →
 * running → final) and a final target never changes, so a late or duplicated callback cannot undo an
 * ending, with two deliberate exceptions: a retry starts failed targets over as a new generation
 * (TaskControlService), and a cancel recorded ahead of the vendor's answer is taken back when the
 * vendor refuses it (resumeStopped).
 */
@Injectable()
export class TaskProgress {
  private readonly refreshes = new CoalescedRuns<TaskStatus>();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly targets: TaskTargetRepository,
    private readonly transactions: Transactions,
    private readonly outbox: Outbox,
    private readonly events: FleetEvents,
  ) {}

  /** Applies vendor progress to the targets of one account; answers the tasks whose targets changed. */
  async apply(accountId: string, progress: VendorTaskProgress[]): Promise<Set<string>> {
    if (progress.length === 0) return new Set();
    // One read for the whole batch, one write per distinct change: a poll or a callback burst names
    // hundreds of targets, mostly with the same outcome, and a query per target would limit its pace.
    const ids = [...new Set(progress.map((entry) => entry.vendorTaskId))];
    const targets = await this.targets.withVendorTasks(PROGRESS_SCOPE, accountId, ids, MOVABLE_FROM.final);
    const touched = new Set<string>();
    for (const { change, targets: moved } of planMoves(targets, progress)) {
      await this.write(PROGRESS_SCOPE, moved, change);
      for (const target of moved) touched.add(target.taskId);
    }
    for (const taskId of touched) await this.refreshTask(taskId);
    return touched;
  }

  /** Moves the targets matching `where` to `change` where that is forward; answers their task ids. */
  async move(where: Prisma.TaskTargetWhereInput, change: TargetChange): Promise<string[]> {
    if (change.status === 'pending') return [];
    const candidates = await this.targets.matching(PROGRESS_SCOPE, where, movableFrom(change.status));
    if (candidates.length === 0) return [];
    await this.write(PROGRESS_SCOPE, candidates, change);
    return [...new Set(candidates.map((target) => target.taskId))];
  }

  /** Moves these targets to `change` where that is forward (a target that ended meanwhile keeps its end). */
  async moveTargets(scope: AccessScope, targets: Array<{ id: string }>, change: TargetChange): Promise<void> {
    if (change.status === 'pending' || targets.length === 0) return;
    await this.write(scope, targets, change);
  }

  /**
   * Stops a task before its end (cancelled by a user, or aborted by its failure threshold): marks the
   * task and ends its targets not sent yet as cancelled with `error`, in one commit, so that no
   * dispatch sends one of them afterwards.
   */
  async stopUnsent(
    scope: AccessScope,
    taskId: string,
    stop: TaskStop,
    error: { code: string; message: string },
    at = new Date(),
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.tasks.markStopped(scope, taskId, stop, at, tx);
      await this.targets.cancelPending(scope, taskId, error, at, tx);
    }, STOP_TRANSACTION);
  }

  /**
   * Records as cancelled, before an operation that ends them is sent, the running targets (of any
   * task on this account) following these vendor tasks, and refreshes their tasks: a vendor that
   * reads a device leaving its run as the run's end (EasyClick) would otherwise let a poll record
   * Fleetgate's own stop as a success.
   */
  async stopRunsEndedBy(
    scope: AccessScope,
    accountId: string,
    vendorTaskIds: string[],
    message: string,
  ): Promise<StoppedTarget[]> {
    if (vendorTaskIds.length === 0) return [];
    const stopped = await this.targets.stopRunning(scope, accountId, vendorTaskIds, message);
    for (const taskId of new Set(stopped.map((target) => target.taskId))) await this.refreshTask(taskId);
    return stopped;
  }

  /**
   * The vendor refused to stop runs that were recorded as cancelled ahead of its answer: they run on,
   * so their targets are running again and their batches are polled afresh (a poll that found them
   * cancelled meanwhile has stopped). With `message`, only targets still carrying it are taken back.
   */
  async resumeStopped(
    scope: AccessScope,
    accountId: string,
    stopped: Array<{ id: string; taskId: string; batch: number }>,
    generations: ReadonlyMap<string, number>,
    message?: string,
  ): Promise<void> {
    if (stopped.length === 0) return;
    await this.transactions.run(async (tx) => {
      await this.targets.resumeCancelled(
        scope,
        stopped.map((target) => target.id),
        message,
        tx,
      );
      for (const [taskId, generation] of generations) {
        for (const batch of new Set(
          stopped.filter((target) => target.taskId === taskId).map((target) => target.batch),
        )) {
          const ref = { taskId, accountId, batch, generation };
          // A job id of its own: the batch's earlier poll jobs keep theirs, and may have ended.
          const jobId = jobIdOf('tasks.poll', taskId, accountId, batch, `g${generation}`, `resumed${Date.now()}`);
          await this.outbox.stage(tx, 'tasks.poll', { ...ref, round: 0 }, jobId);
        }
      }
    });
    this.outbox.relaySoon();
  }

  /**
   * Writes `change` to targets read as movable, with the status condition again: a concurrent writer
   * that ended a target first wins.
   */
  private async write(scope: AccessScope, targets: Array<{ id: string }>, change: TargetChange): Promise<void> {
    await this.targets.update(
      scope,
      targets.map((target) => target.id),
      movableFrom(change.status),
      targetUpdate(change, new Date()),
    );
  }

  /**
   * Recomputes a task's status from its targets; sets finishedAt when every target has ended. A
   * change of status raises task.updated, and an ending also task.completed. Every batch of a large
   * task asks for this, so one process runs it once at a time per task (see CoalescedRuns).
   */
  refreshTask(taskId: string): Promise<TaskStatus> {
    return this.refreshes.run(taskId, () => this.recompute(taskId));
  }

  private async recompute(taskId: string): Promise<TaskStatus> {
    const before = await this.tasks.statusFacts(PROGRESS_SCOPE, taskId);
    if (!before) return 'pending';
    // Until its targets are written, a task has none to take a status from.
    if (!before.targetsWrittenAt) return before.status as TaskStatus;
    // Which statuses the targets hold, not how many hold each: the aggregate depends only on that.
    const present = await this.targets.presentStatuses(PROGRESS_SCOPE, taskId);
    // Only a task written after its 202 can have no target: cancelled before they were written, it ends
    // cancelled; otherwise every device it selected was gone by then, which POST /tasks would have
    // refused (no device matches), so nothing ran and it ends failed (a scheduled run retries it).
    const status =
      present.length === 0
        ? before.cancelledAt
          ? 'cancelled'
          : 'failed'
        : aggregateStatus(present.map(normalizedStatus));
    const final = isFinalStatus(status);
    // Only the writer that changes the status raises the events, so concurrent refreshes raise them once.
    if (await this.tasks.changeStatus(PROGRESS_SCOPE, taskId, status, final ? new Date() : null)) {
      const counts: Record<string, number> = {};
      for (const row of await this.targets.statusCountsOf(PROGRESS_SCOPE, taskId)) {
        const targetStatus = normalizedStatus(row.status);
        counts[targetStatus] = (counts[targetStatus] ?? 0) + row.count;
      }
      const data = { taskId, number: before.number.toString(), status, previousStatus: before.status, counts };
      await this.events.publish('task.updated', data);
      if (final) await this.events.publish('task.completed', data);
    }
    return status;
  }
}

/** The states a target may move from on its way to `status`. */
function movableFrom(status: TaskStatus): string[] {
  return isFinalStatus(status) ? MOVABLE_FROM.final : MOVABLE_FROM.running;
}

/** A target's stored status as tasks report it: `dispatching` is running to everyone outside the dispatcher. */
function normalizedStatus(status: string): TaskStatus {
  return status === 'dispatching' ? 'running' : (status as TaskStatus);
}

/** The columns a change writes; what it leaves undefined stays as it was. */
function targetUpdate(change: TargetChange, now: Date): Prisma.TaskTargetUpdateManyMutationInput {
  return {
    status: change.status,
    ...(change.vendorStatus !== undefined ? { vendorStatus: change.vendorStatus } : {}),
    ...(change.result !== undefined ? { result: change.result as Prisma.InputJsonValue } : {}),
    ...(change.error ? { errorCode: change.error.code, errorMessage: change.error.message } : {}),
    ...(isFinalStatus(change.status) ? { finishedAt: now } : {}),
  };
}

/** A target as `planMoves` needs it. */
export interface ProgressTarget {
  id: string;
  taskId: string;
  vendorTaskId: string | null;
  /** Every vendor task the target owns, when a vendor made several for it (or left it candidates). */
  vendorTaskIds?: string[];
  vendorRef: string;
  status: string;
}

/** Whether a progress entry concerns this target: the references the vendor names on it include the target's. */
function concerns(entry: VendorTaskProgress, target: ProgressTarget): boolean {
  const refs = entry.vendorRefs ?? (entry.vendorRef ? [entry.vendorRef] : undefined);
  return !refs || refs.includes(target.vendorRef);
}

/**
 * What a batch of vendor progress does to the targets it names, worked out in memory as if each entry
 * were applied in turn (forward only, the first final status wins, a later entry adds what it carries)
 * and grouped by the resulting change, so that the batch costs one UPDATE per distinct change. An entry
 * without vendorRef names every target of its vendor task.
 */
export function planMoves(
  targets: ProgressTarget[],
  progress: VendorTaskProgress[],
): Array<{ change: TargetChange; targets: ProgressTarget[] }> {
  const byVendorTask = new Map<string, ProgressTarget[]>();
  const planned = new Map<ProgressTarget, { status: string; change?: TargetChange }>();
  for (const target of targets) {
    if ((target.vendorTaskIds?.length ?? 0) > 1) {
      const change = changeOfOwner(target, progress);
      if (change) planned.set(target, { status: change.status, change });
      continue;
    }
    if (target.vendorTaskId === null) continue;
    const list = byVendorTask.get(target.vendorTaskId) ?? [];
    list.push(target);
    byVendorTask.set(target.vendorTaskId, list);
  }
  for (const entry of progress) {
    if (entry.status === 'pending') continue;
    const from = movableFrom(entry.status);
    for (const target of byVendorTask.get(entry.vendorTaskId) ?? []) {
      if (!concerns(entry, target)) continue;
      const plan = planned.get(target) ?? { status: target.status };
      if (!from.includes(plan.status)) continue;
      const change: TargetChange = {
        ...plan.change,
        status: entry.status,
        vendorStatus: String(entry.vendorStatus),
        ...(entry.result !== undefined ? { result: entry.result } : {}),
        ...(entry.error ? { error: entry.error } : {}),
      };
      planned.set(target, { status: entry.status, change });
    }
  }
  const groups = new Map<string, { change: TargetChange; targets: ProgressTarget[] }>();
  for (const [target, { change }] of planned) {
    if (!change) continue;
    const key = JSON.stringify(change);
    const group = groups.get(key) ?? { change, targets: [] };
    group.targets.push(target);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * The change for a target that owns several vendor tasks: its status derives from all of them (the
 * tasks' own statuses folded forward as for a single task, then aggregated: every one succeeded is
 * succeeded, a mix partially_failed...), and it ends only once every one has ended. A task whose
 * progress names another target is not its own (a candidate left by a create whose tasks could not
 * all be read); when none of them is, the vendor made no task for it. Undefined: no change.
 */
function changeOfOwner(target: ProgressTarget, progress: VendorTaskProgress[]): TargetChange | undefined {
  const ids = new Set(target.vendorTaskIds);
  const latest = new Map<string, VendorTaskProgress>();
  const foreign = new Set<string>();
  for (const entry of progress) {
    if (!ids.has(entry.vendorTaskId)) continue;
    if (!concerns(entry, target)) {
      foreign.add(entry.vendorTaskId);
      continue;
    }
    const before = latest.get(entry.vendorTaskId);
    // Forward only, and the first final status of a task wins, as for a target with one task.
    if (before && (isFinalStatus(before.status) || entry.status === 'pending')) continue;
    latest.set(entry.vendorTaskId, entry);
  }
  const own = [...ids].filter((id) => !foreign.has(id));
  let change: TargetChange;
  if (own.length === 0) {
    change = {
      status: 'failed',
      error: { code: 'no_task', message: `none of the vendor tasks of its batch names ${target.vendorRef}` },
    };
  } else {
    const entries = own.map((id) => latest.get(id));
    // A task not in this progress has not been read: it may still run.
    const status = aggregateStatus(entries.map((entry) => entry?.status ?? 'running'));
    if (status === 'pending' || entries.every((entry) => entry === undefined)) return undefined;
    const failure = entries.find((entry) => entry?.error)?.error;
    change = {
      status,
      vendorStatus: entries.map((entry) => entry?.vendorStatus ?? '').join(','),
      ...(failure && status !== 'succeeded' ? { error: failure } : {}),
    };
  }
  return movableFrom(change.status).includes(target.status) ? change : undefined;
}
