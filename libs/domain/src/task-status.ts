/**
 * The one status model of Fleetgate's tasks and of each target device within a task. Each vendor's
 * codes map onto it (see each adapter's README for its table).
 */
export const TASK_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'partially_failed',
  'cancelled',
  'timed_out',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

const FINAL: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out']);

export function isFinalStatus(status: TaskStatus): boolean {
  return FINAL.has(status);
}

/** The status of a whole task from its targets' statuses. */
export function aggregateStatus(statuses: readonly TaskStatus[]): TaskStatus {
  if (statuses.length === 0) return 'succeeded';
  if (statuses.some((status) => !isFinalStatus(status))) {
    return statuses.some((status) => status !== 'pending') ? 'running' : 'pending';
  }
  if (statuses.every((status) => status === 'succeeded')) return 'succeeded';
  if (statuses.every((status) => status === 'cancelled')) return 'cancelled';
  if (statuses.every((status) => status === 'timed_out')) return 'timed_out';
  return statuses.some((status) => status === 'succeeded') ? 'partially_failed' : 'failed';
}
