import { Injectable } from '@nestjs/common';
import { aggregateStatus, isFinalStatus, type TaskStatus } from '@fleetgate/domain';
import { type Prisma, PrismaService } from '@fleetgate/persistence';
import type { VendorTaskProgress } from '@fleetgate/vendors';
import { FleetEvents } from '../events/fleet-events';

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
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: FleetEvents,
  ) {}

  /** Applies vendor progress to the targets of one account; answers the tasks whose targets changed. */
  async apply(accountId: string, progress: VendorTaskProgress[]): Promise<Set<string>> {
    const touched = new Set<string>();
    if (progress.length === 0) return touched;
    // One read for the whole batch first: most entries of a callback burst name targets that ended
    // already or were never Fleetgate's, and those need no query of their own.
    const movable = await this.prisma.taskTarget.findMany({
      where: {
        accountId,
        vendorTaskId: { in: [...new Set(progress.map((entry) => entry.vendorTaskId))] },
        status: { in: MOVABLE_FROM.final },
      },
      select: { vendorTaskId: true, vendorRef: true },
    });
    const named = new Set(
      movable.flatMap((target) => [`${target.vendorTaskId}`, `${target.vendorTaskId}/${target.vendorRef}`]),
    );
    for (const entry of progress) {
      if (!named.has(entry.vendorRef ? `${entry.vendorTaskId}/${entry.vendorRef}` : `${entry.vendorTaskId}`)) continue;
      const where: Prisma.TaskTargetWhereInput = {
        accountId,
        vendorTaskId: entry.vendorTaskId,
        ...(entry.vendorRef ? { vendorRef: entry.vendorRef } : {}),
      };
      const changed = await this.move(where, {
        status: entry.status,
        vendorStatus: String(entry.vendorStatus),
        result: entry.result,
        error: entry.error,
      });
      for (const taskId of changed) touched.add(taskId);
    }
    for (const taskId of touched) await this.refreshTask(taskId);
    return touched;
  }

  /** Moves the targets matching `where` to `change` where that is forward; answers their task ids. */
  async move(where: Prisma.TaskTargetWhereInput, change: TargetChange): Promise<string[]> {
    if (change.status === 'pending') return [];
    const final = isFinalStatus(change.status);
    const from = final ? MOVABLE_FROM.final : MOVABLE_FROM.running;
    const candidates = await this.prisma.taskTarget.findMany({
      where: { ...where, status: { in: from } },
      select: { id: true, taskId: true },
    });
    if (candidates.length === 0) return [];
    const now = new Date();
    await this.prisma.taskTarget.updateMany({
      // The status condition again: a concurrent writer that ended a target first wins.
      where: { id: { in: candidates.map((target) => target.id) }, status: { in: from } },
      data: {
        status: change.status,
        ...(change.vendorStatus !== undefined ? { vendorStatus: change.vendorStatus } : {}),
        ...(change.result !== undefined ? { result: change.result as Prisma.InputJsonValue } : {}),
        ...(change.error ? { errorCode: change.error.code, errorMessage: change.error.message } : {}),
        ...(final ? { finishedAt: now } : {}),
      },
    });
    return [...new Set(candidates.map((target) => target.taskId))];
  }

  /**
   * Recomputes a task's status from its targets; sets finishedAt when every target has ended. A
   * change of status raises task.updated, and an ending also task.completed.
   */
  async refreshTask(taskId: string): Promise<TaskStatus> {
    const [rows, before] = await Promise.all([
      this.prisma.taskTarget.groupBy({ by: ['status'], where: { taskId }, _count: { _all: true } }),
      this.prisma.task.findUnique({ where: { id: taskId }, select: { status: true, number: true } }),
    ]);
    if (!before) return 'pending';
    const counts: Record<string, number> = {};
    const statuses: TaskStatus[] = [];
    for (const row of rows) {
      const status = row.status === 'dispatching' ? 'running' : (row.status as TaskStatus);
      counts[status] = (counts[status] ?? 0) + row._count._all;
      for (let i = 0; i < row._count._all; i++) statuses.push(status);
    }
    const status = aggregateStatus(statuses);
    const final = isFinalStatus(status);
    // Only the writer that changes the status raises the events, so concurrent refreshes raise them once.
    const changed = await this.prisma.task.updateMany({
      where: { id: taskId, status: { not: status } },
      data: { status, finishedAt: final ? new Date() : null },
    });
    if (changed.count > 0) {
      const data = { taskId, number: before.number.toString(), status, previousStatus: before.status, counts };
      await this.events.publish('task.updated', data);
      if (final) await this.events.publish('task.completed', data);
    }
    return status;
  }
}
