import type { JobsOptions } from 'bullmq';
import type { FleetgateConfig } from '@fleetgate/config';

/**
 * Every queue and every job in one place: its name, payload, queue, default options, and for the
 * jobs the worker repeats on its own, how often. A job name is `<capability>.<action>`; its payload
 * type is the single source for producers and handlers.
 */
export const QueueName = {
  Maintenance: 'maintenance',
  /** Planning, dispatch and polling of fleet tasks. */
  Tasks: 'tasks',
  /** Vendor callbacks from the inbox, and device inventory syncs. */
  Inbound: 'inbound',
  /** Fleetgate's events, delivered to subscribers' webhooks. */
  Outbound: 'outbound',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** One dispatch batch of a task: the targets of one account that are sent together. */
export interface TaskBatchRef {
  taskId: string;
  accountId: string;
  batch: number;
  generation: number;
}

export interface JobPayloads {
  /** Deletes refresh-token sessions that expired or were revoked more than a day ago. */
  'sessions.purge-expired': Record<string, never>;
  /** Deletes operation and login logs older than OPERATION_LOG_RETENTION_DAYS. */
  'audit.purge': Record<string, never>;
  /** Moves outbox rows that were not relayed at once (a process died after its commit) to BullMQ. */
  'outbox.relay': Record<string, never>;
  /**
   * Sends one batch of a task's targets at one account. `generation` counts retries of the task's
   * failed targets; `round` counts waits for offline devices.
   */
  'tasks.dispatch': TaskBatchRef & { round: number };
  /** Writes the targets of a task answered before they were written (more than TASK_INLINE_TARGETS). */
  'tasks.prepare': { taskId: string };
  /** Reads the vendor tasks of one batch; re-enqueued with backoff (the next `round`) until they end. */
  'tasks.poll': TaskBatchRef & { round: number };
  /** Settles targets past their deadline (vendor silent, worker lost). */
  'tasks.sweep': Record<string, never>;
  /** Applies stored vendor callbacks, in the order they were received (one batch of the inbox). */
  'callbacks.apply': { inboxIds: string[] };
  /** Enqueues apply jobs for stored callbacks left unapplied a while (their job never came). */
  'callbacks.sweep': Record<string, never>;
  'callbacks.purge': Record<string, never>;
  /** Reads one account's device inventory into the devices table. */
  'devices.sync': { accountId: string };
  /** Enqueues a sync of every enabled account. */
  'devices.sync-all': Record<string, never>;
  /**
   * Fires a scheduled job: creates its task. From a job scheduler the tick is the job's own time;
   * a manual run or a retry names it.
   */
  'schedules.fire': {
    jobId: string;
    trigger: 'schedule' | 'manual' | 'retry';
    scheduledFor?: string;
    attempt?: number;
    /** A retry of one shard of a broadcast fire: only that shard runs again. */
    shardIndex?: number;
    shardTotal?: number;
  };
  /** Follows running scheduled-job runs to their end: status, timeouts, retries. */
  'schedules.settle': Record<string, never>;
  /** Reads the schedules vendors keep (Gizwits schedulers) into scheduled jobs and their runs. */
  'schedules.vendor-sync': Record<string, never>;
  /** Posts one event to one subscriber; retried with backoff until it answers 2xx. */
  'events.deliver': { deliveryId: string };
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  'sessions.purge-expired': QueueName.Maintenance,
  'audit.purge': QueueName.Maintenance,
  'outbox.relay': QueueName.Maintenance,
  'tasks.dispatch': QueueName.Tasks,
  'tasks.prepare': QueueName.Tasks,
  'tasks.poll': QueueName.Tasks,
  'tasks.sweep': QueueName.Maintenance,
  'callbacks.apply': QueueName.Inbound,
  'callbacks.sweep': QueueName.Maintenance,
  'callbacks.purge': QueueName.Maintenance,
  'devices.sync': QueueName.Inbound,
  'devices.sync-all': QueueName.Maintenance,
  'events.deliver': QueueName.Outbound,
  'schedules.fire': QueueName.Tasks,
  'schedules.settle': QueueName.Maintenance,
  'schedules.vendor-sync': QueueName.Maintenance,
};

/** Defaults per queue; a job may override them where it is enqueued. */
export const QUEUE_DEFAULT_JOB_OPTIONS: { readonly [Q in QueueName]: JobsOptions } = {
  [QueueName.Maintenance]: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
    removeOnComplete: { age: 86_400, count: 1_000 },
    removeOnFail: { age: 7 * 86_400 },
  },
  [QueueName.Tasks]: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    // Completed ids are kept a day: an enqueue of the same deterministic id within it is a no-op.
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 86_400 },
  },
  [QueueName.Outbound]: {
    // About 1 s, 2 s, 4 s ... for a subscriber that is down: 12 attempts span roughly an hour.
    attempts: 12,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.3 },
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 86_400 },
  },
  [QueueName.Inbound]: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 86_400 },
  },
};

/**
 * Jobs for one executor (worker process) in particular. BullMQ gives a job to whichever worker asks
 * first, so these go to the executor's own queue (executorQueueOf), which only that executor consumes.
 */
export interface ExecutorJobPayloads {
  /** Runs one fire of a scheduled job that the executor router gave this executor: creates its task. */
  'schedules.run': { runId: string };
}

export type ExecutorJobName = keyof ExecutorJobPayloads;

/** A record, not a list, so that a name added to ExecutorJobPayloads and left out here does not compile. */
const EXECUTOR_JOBS: { readonly [N in ExecutorJobName]: true } = { 'schedules.run': true };
export const EXECUTOR_JOB_NAMES = Object.keys(EXECUTOR_JOBS) as ExecutorJobName[];

/** Any job a handler takes: of the shared queues or of an executor's own. */
export type HandledJobName = JobName | ExecutorJobName;

/** The queue of one executor; BullMQ refuses ':' in queue names, so anything but [\w.-] becomes '-'. */
export function executorQueueOf(executorId: string): string {
  return `executor-${executorId.replace(/[^\w.-]/g, '-')}`;
}

/** Defaults of the executor queues: as the tasks queue (completed ids kept a day, so re-adds are no-ops). */
export const EXECUTOR_QUEUE_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 86_400 },
  removeOnFail: { age: 7 * 86_400 },
};

/** A job without a payload: only such a job can repeat, since every tick enqueues the same one. */
type JobWithoutPayload = { [N in JobName]: JobPayloads[N] extends Record<string, never> ? N : never }[JobName];

/** How often a job repeats, in ms: fixed, or read from the configuration where an operator may tune it. */
export interface JobRepeat {
  every: number | ((config: FleetgateConfig) => number);
}

const HOUR_MS = 3_600_000;

/**
 * The jobs the worker repeats on its own. At start the JobRouter registers each as a BullMQ job
 * scheduler on the job's queue, with the job's name as the scheduler's id: every worker registers
 * the same scheduler, so that a tick fires once however many workers run, and a restart updates the
 * interval in place.
 */
export const JOB_REPEATS = {
  'sessions.purge-expired': { every: HOUR_MS },
  'audit.purge': { every: HOUR_MS },
  /** Each commit relays its own rows at once; this picks up those of a process that died in between. */
  'outbox.relay': { every: 5_000 },
  'tasks.sweep': { every: 15_000 },
  'devices.sync-all': { every: 10 * 60_000 },
  'callbacks.sweep': { every: 30_000 },
  'callbacks.purge': { every: HOUR_MS },
  'schedules.settle': { every: 10_000 },
  'schedules.vendor-sync': { every: (config) => config.VENDOR_SCHEDULE_SYNC_MS },
} as const satisfies { readonly [N in JobWithoutPayload]?: JobRepeat };

export type RepeatedJobName = keyof typeof JOB_REPEATS;

/** The repeats as this configuration sets them: each job's name (its scheduler's id) and interval. */
export function jobRepeatsOf(config: FleetgateConfig): Array<{ name: RepeatedJobName; every: number }> {
  return (Object.entries(JOB_REPEATS) as Array<[RepeatedJobName, JobRepeat]>).map(([name, repeat]) => ({
    name,
    every: typeof repeat.every === 'number' ? repeat.every : repeat.every(config),
  }));
}

export function jobNamesOf(queue: QueueName): JobName[] {
  return (Object.keys(JOB_QUEUE) as JobName[]).filter((name) => JOB_QUEUE[name] === queue);
}

/**
 * A deterministic job id: the job name and the parts that make the job unique. BullMQ refuses ':'
 * in custom ids (it is its key separator), so the parts are joined with '/'.
 */
export function jobIdOf(name: JobName | ExecutorJobName, ...parts: Array<string | number>): string {
  return [name, ...parts].join('/');
}
