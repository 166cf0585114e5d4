import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import {
  EXECUTOR_QUEUE_JOB_OPTIONS,
  executorQueueOf,
  type ExecutorJobName,
  type ExecutorJobPayloads,
  jobIdOf,
} from '@fleetgate/queues';
import { RedisConnections } from '@fleetgate/redis';

/** Jobs an executor takes from its own queue at once. */
const EXECUTOR_CONCURRENCY = 8;

/**
 * The per-executor queues: any process may hand a job to a given executor; each worker process
 * consumes only the queue named for its own executor id. Queues are opened on first use.
 */
@Injectable()
export class ExecutorQueues implements OnModuleDestroy {
  private readonly logger = new Logger(ExecutorQueues.name);
  private readonly queues = new Map<string, Queue>();
  private worker?: Worker;

  constructor(private readonly redis: RedisConnections) {}

  /** Idempotent: the id is made of `parts`, and BullMQ keeps one job per id. */
  async enqueue<N extends ExecutorJobName>(
    executorId: string,
    name: N,
    payload: ExecutorJobPayloads[N],
    parts: Array<string | number>,
  ): Promise<void> {
    let queue = this.queues.get(executorId);
    if (!queue) {
      queue = new Queue(executorQueueOf(executorId), {
        ...this.connection(executorQueueOf(executorId)),
        defaultJobOptions: EXECUTOR_QUEUE_JOB_OPTIONS,
      });
      this.queues.set(executorId, queue);
    }
    await queue.add(name, payload, { jobId: jobIdOf(name, ...parts) });
  }

  /** Starts taking the jobs of this executor's own queue, each handed to `handle` (the worker's JobRouter). */
  consume(executorId: string, handle: (job: Job) => Promise<unknown>): void {
    if (this.worker) throw new Error('this process already consumes its executor queue');
    this.worker = new Worker(executorQueueOf(executorId), handle, {
      ...this.connection(executorQueueOf(executorId)),
      concurrency: EXECUTOR_CONCURRENCY,
    });
    // Redis errors are reported and retried by BullMQ; without a listener they would end the process.
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'executor queue error'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }

  private connection(queue: string) {
    return { connection: this.redis.queueConnection(), prefix: this.redis.queuePrefix(queue) };
  }
}
