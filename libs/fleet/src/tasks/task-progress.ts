import { Injectable } from '@nestjs/common';
import { aggregateStatus, isFinalStatus, type TaskStatus } from '@fleetgate/domain';
import { type Prisma, PrismaService } from '@fleetgate/persistence';
import type { VendorTaskProgress } from '@fleetgate/vendors';
import { FleetEvents } from '../events/fleet-events';
import { CoalescedRuns } from './coalesced-runs';

/** States a target may move from, for each state it moves to: never backwards, never out of a final state. */
const MOVABLE_FROM: Readonly<Record<'running' | 'final', string[]>> = {
  running: ['pending', 'dispatching'],
  final: ['pending', 'dispatching', 'running'],
};

export interface TargetChange {
  status: TaskStatus;
  vendorStatus?: string;
  result?: unknown;
  error?: { code: string; message: string };
}

/**
 * The one place target states change after dispatch: polling, callbacks, the sweeper and cancel all
 * go through here, so they converge on one state. A target only moves forward (pending → running →
 * final) and a final target never changes: a late or duplicated callback cannot undo an ending.
 */
@Injectable()
export class TaskProgress {
  private readonly refreshes = new CoalescedRuns<TaskStatus>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: FleetEvents,
  ) {}

  /** Applies vendor progress to the targets of one account; answers the tasks whose targets changed. */
  async apply(accountId: string, progress: VendorTaskProgress[]): Promise<Set<string>> {
    if (progress.length === 0) return new Set();
    // One read for the whole batch, one write per distinct change: a poll or a callback burst names
    // hundreds of targets, mostly with the same outcome, and a query per target was what limited it.
    const ids = [...new Set(progress.map((entry) => entry.vendorTaskId))];
    const targets = await this.prisma.taskTarget.findMany({
      where: {
        accountId,
        // A target that owns several vendor tasks holds them all in vendorTaskIds.
        OR: [{ vendorTaskId: { in: ids } }, { vendorTaskIds: { hasSome: ids } }],
        status: { in: MOVABLE_FROM.final },
      },
      select: { id: true, taskId: true, vendorTaskId: true, vendorTaskIds: true, vendorRef: true, status: true },
    });
    const touched = new Set<string>();
    for (const { change, targets: moved } of planMoves(targets, progress)) {
      await this.write(moved, change);
      for (const target of moved) touched.add(target.taskId);
    }
    for (const taskId of touched) await this.refreshTask(taskId);
    return touched;
  }

  /** Moves the targets matching `where` to `change` where that is forward; answers their task ids. */
  async move(where: Prisma.TaskTargetWhereInput, change: TargetChange): Promise<string[]> {
    if (change.status === 'pending') return [];
    const candidates = await this.prisma.taskTarget.findMany({
      where: { ...where, status: { in: movableFrom(change.status) } },
      select: { id: true, taskId: true },
    });
    if (candidates.length === 0) return [];
    await this.write(candidates, change);
    return [...new Set(candidates.map((target) => target.taskId))];
  }

  /**
   * Writes `change` to targets read as movable, with the status condition again: a concurrent writer
   * that ended a target first wins.
   */
  private async write(targets: Array<{ id: string }>, change: TargetChange): Promise<void> {
    await this.prisma.taskTarget.updateMany({
      where: { id: { in: targets.map((target) => target.id) }, status: { in: movableFrom(change.status) } },
      data: targetUpdate(change, new Date()),
    });
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
    const before = await this.prisma.task.findUnique({ where: { id: taskId }, select: { status: true, number: true } });
    if (!before) return 'pending';
    // Which statuses the targets hold, not how many hold each: the aggregate depends only on that,
    // and an index skip over (task_id, status) reads a handful of entries where counting reads every target.
    const present = await this.prisma.$queryRaw<Array<{ status: string }>>`
      WITH RECURSIVE present(status) AS (
        (SELECT status FROM task_targets WHERE task_id = ${taskId}::uuid ORDER BY status LIMIT 1)
        UNION ALL
        SELECT (SELECT t.status FROM task_targets t
                WHERE t.task_id = ${taskId}::uuid AND t.status > present.status ORDER BY t.status LIMIT 1)
        FROM present WHERE present.status IS NOT NULL
      )
      SELECT status FROM present WHERE status IS NOT NULL`;
    const status = aggregateStatus(present.map((row) => normalizedStatus(row.status)));
    const final = isFinalStatus(status);
    // Only the writer that changes the status raises the events, so concurrent refreshes raise them once.
    const changed = await this.prisma.task.updateMany({
      where: { id: taskId, status: { not: status } },
      data: { status, finishedAt: final ? new Date() : null },
    });
    if (changed.count > 0) {
      const rows = await this.prisma.taskTarget.groupBy({ by: ['status'], where: { taskId }, _count: { _all: true } });
      const counts: Record<string, number> = {};
      for (const row of rows) {
        const targetStatus = normalizedStatus(row.status);
        counts[targetStatus] = (counts[targetStatus] ?? 0) + row._count._all;
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
