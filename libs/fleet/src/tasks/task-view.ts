import type { VendorName } from '@fleetgate/domain';
import type { Task, TaskTarget } from '@fleetgate/persistence';
import type { TaskCountsDto, TaskDto, TaskTargetDto } from './task.dto';

/** A task's target counts per reported status, from stored statuses: `dispatching` counts as running. */
export function taskCounts(rows: Array<{ taskId: string; status: string; count: number }>): Map<string, TaskCountsDto> {
  const counts = new Map<string, TaskCountsDto>();
  for (const row of rows) {
    const entry = counts.get(row.taskId) ?? emptyCounts();
    const bucket = row.status === 'dispatching' ? 'running' : (row.status as keyof TaskCountsDto);
    entry[bucket] += row.count;
    entry.total += row.count;
    counts.set(row.taskId, entry);
  }
  return counts;
}

function emptyCounts(): TaskCountsDto {
  return { pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, timed_out: 0, total: 0 };
}

export function toTaskDto(task: Task, counts: TaskCountsDto = emptyCounts()): TaskDto {
  const preparing = task.targetsWrittenAt === null;
  return {
    id: task.id,
    number: task.number.toString(),
    operation: {
      type: task.operationType as TaskDto['operation']['type'],
      params: task.params as Record<string, unknown>,
    },
    targets: task.targetSpec as Record<string, unknown>,
    status: task.status as TaskDto['status'],
    preparing,
    // Until they are written, the targets the task selected wait as pending.
    counts: preparing ? { ...emptyCounts(), pending: task.targetsSelected, total: task.targetsSelected } : counts,
    rollout:
      task.rolloutPerMinute || task.abortFailurePercent || task.abortMinTargets
        ? {
            targetsPerMinute: task.rolloutPerMinute ?? undefined,
            abortFailurePercent: task.abortFailurePercent ?? undefined,
            abortMinTargets: task.abortMinTargets ?? undefined,
          }
        : undefined,
    targetTimeoutSeconds: task.targetTimeoutSeconds,
    offlineTtlSeconds: task.offlineTtlSeconds,
    abortedAt: task.abortedAt,
    cancelledAt: task.cancelledAt,
    createdAt: task.createdAt,
    finishedAt: task.finishedAt,
  };
}

export function toTargetDto(target: TaskTarget): TaskTargetDto {
  return {
    id: target.id,
    deviceId: target.deviceId,
    vendor: target.vendor as VendorName,
    accountId: target.accountId,
    vendorRef: target.vendorRef,
    status: target.status,
    vendorTaskId: target.vendorTaskId,
    vendorTaskIds: target.vendorTaskIds ?? [],
    vendorStatus: target.vendorStatus,
    result: target.result ?? undefined,
    error: target.errorCode ? { code: target.errorCode, message: target.errorMessage ?? '' } : null,
    attempts: target.attempts,
    waitUntil: target.waitUntil,
    dispatchedAt: target.dispatchedAt,
    finishedAt: target.finishedAt,
  };
}
