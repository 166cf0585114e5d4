import type { JobsOptions } from 'bullmq';

/**
 * Every queue, every job name, its payload and its queue, in one place. A job name is
 * `<capability>.<action>`; its payload type is the single source for producers and handlers.
 */
export const QueueName = {
  Maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export interface JobPayloads {
  /** Deletes refresh-token sessions that expired or were revoked more than a day ago. */
  'sessions.purge-expired': Record<string, never>;
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  'sessions.purge-expired': QueueName.Maintenance,
};

/** Defaults per queue; a job may override them where it is enqueued. */
export const QUEUE_DEFAULT_JOB_OPTIONS: { readonly [Q in QueueName]: JobsOptions } = {
  [QueueName.Maintenance]: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
    removeOnComplete: { age: 86_400, count: 1_000 },
    removeOnFail: { age: 7 * 86_400 },
  },
};

export function jobNamesOf(queue: QueueName): JobName[] {
  return (Object.keys(JOB_QUEUE) as JobName[]).filter((name) => JOB_QUEUE[name] === queue);
}
