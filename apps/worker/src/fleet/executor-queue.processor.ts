import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EXECUTOR_ID, ExecutorQueues, ExecutorRegistry } from '@fleetgate/scheduling';
import { JobRouter } from '../job-router';

/**
 * The consumer of this worker's own executor queue (the scheduled runs the executor router gave it):
 * hands every job to the JobRouter, as the shared queues' processors do. The worker registers as an
 * executor first, so that it is online in the executors table by the time it takes runs.
 */
@Injectable()
export class ExecutorQueueProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly router: JobRouter,
    private readonly executors: ExecutorRegistry,
    private readonly executorQueues: ExecutorQueues,
  ) {
    router.consumeExecutorQueue();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.executors.start();
    this.executorQueues.consume(EXECUTOR_ID, (job) => this.router.route(job));
  }
}
