import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueRecovery, TaskCreationService, TaskDispatcher, TaskPoller, TaskSweeper } from '@fleetgate/fleet';
import { HandlesJob, type JobPayloads, Outbox } from '@fleetgate/queues';

/** The task engine's jobs: each calls the same fleet services the gateway uses. */
@Injectable()
export class TaskJobsHandler implements OnApplicationBootstrap {
  constructor(
    private readonly creation: TaskCreationService,
    private readonly dispatcher: TaskDispatcher,
    private readonly poller: TaskPoller,
    private readonly sweeper: TaskSweeper,
    private readonly outbox: Outbox,
    private readonly recovery: QueueRecovery,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.recovery.recoverIfRedisLost();
  }

  @HandlesJob('tasks.prepare')
  prepare(payload: JobPayloads['tasks.prepare']) {
    return this.creation.writeTargetsOf(payload.taskId);
  }

  @HandlesJob('tasks.dispatch')
  dispatch(payload: JobPayloads['tasks.dispatch']) {
    return this.dispatcher.dispatch(payload);
  }

  @HandlesJob('tasks.poll')
  poll(payload: JobPayloads['tasks.poll']) {
    return this.poller.poll(payload);
  }

  @HandlesJob('tasks.sweep')
  sweep() {
    return this.sweeper.sweep();
  }

  @HandlesJob('outbox.relay')
  async relay() {
    return { relayed: await this.outbox.relay(), purged: await this.outbox.purgeRelayed() };
  }
}
