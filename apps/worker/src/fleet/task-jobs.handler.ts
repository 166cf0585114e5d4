import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueRecovery, TaskDispatcher, TaskPoller, TaskSweeper } from '@fleetgate/fleet';
import { HandlesJob, type JobPayloads, JobProducer, Outbox, QueueName } from '@fleetgate/queues';

/** How often the sweeper runs (it also relays the outbox). */
const SWEEP_EVERY_MS = 15_000;

/** The task engine's jobs: each calls the same fleet services the gateway uses. */
@Injectable()
export class TaskJobsHandler implements OnApplicationBootstrap {
  constructor(
    private readonly dispatcher: TaskDispatcher,
    private readonly poller: TaskPoller,
    private readonly sweeper: TaskSweeper,
    private readonly outbox: Outbox,
    private readonly producer: JobProducer,
    private readonly recovery: QueueRecovery,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.recovery.recoverIfRedisLost();
    // Job schedulers, not timers: several workers share one schedule and fire each tick once.
    const maintenance = this.producer.queue(QueueName.Maintenance);
    await maintenance.upsertJobScheduler('tasks.sweep', { every: SWEEP_EVERY_MS }, { name: 'tasks.sweep', data: {} });
    await maintenance.upsertJobScheduler('outbox.relay', { every: 5_000 }, { name: 'outbox.relay', data: {} });
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
