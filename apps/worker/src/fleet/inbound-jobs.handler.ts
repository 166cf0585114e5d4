import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { CallbackApplier, DeviceSyncService, systemScope } from '@fleetgate/fleet';
import { HandlesJob, jobIdOf, type JobPayloads, JobProducer, QueueName } from '@fleetgate/queues';

/** How often every account's inventory is read again. */
const SYNC_ALL_EVERY_MS = 10 * 60_000;
/**
 * How often stored callbacks left unapplied are looked for, and how old they must be: older than
 * any apply job the gateway enqueued would take to start, so that a sweep rarely doubles one.
 */
const SWEEP_EVERY_MS = 30_000;
const SWEEP_OLDER_THAN_MS = 60_000;
/** How often callbacks past their retention are deleted. */
const PURGE_EVERY_MS = 3_600_000;
/** An inventory sync is no user's: it writes every device the vendor reports for the account. */
const DEVICE_SYNC_SCOPE = systemScope('vendor inventory sync of an account');

/** Vendor callbacks from the inbox, and inventory syncs. */
@Injectable()
export class InboundJobsHandler implements OnApplicationBootstrap {
  constructor(
    private readonly callbacks: CallbackApplier,
    private readonly sync: DeviceSyncService,
    private readonly producer: JobProducer,
    private readonly config: FleetgateConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.producer
      .queue(QueueName.Maintenance)
      .upsertJobScheduler('devices.sync-all', { every: SYNC_ALL_EVERY_MS }, { name: 'devices.sync-all', data: {} });
    await this.producer
      .queue(QueueName.Maintenance)
      .upsertJobScheduler('callbacks.sweep', { every: SWEEP_EVERY_MS }, { name: 'callbacks.sweep', data: {} });
    await this.producer
      .queue(QueueName.Maintenance)
      .upsertJobScheduler('callbacks.purge', { every: PURGE_EVERY_MS }, { name: 'callbacks.purge', data: {} });
  }

  @HandlesJob('callbacks.apply')
  apply(payload: JobPayloads['callbacks.apply']) {
    return this.callbacks.applyAll(payload.inboxIds);
  }

  @HandlesJob('callbacks.sweep')
  async sweep() {
    const window = Math.floor(Date.now() / SWEEP_EVERY_MS);
    return { jobs: await this.callbacks.enqueueUnapplied(SWEEP_OLDER_THAN_MS, `swept-${window}`) };
  }

  @HandlesJob('callbacks.purge')
  async purge() {
    return { deleted: await this.callbacks.purgeApplied(this.config.CALLBACK_RETENTION_HOURS) };
  }

  @HandlesJob('devices.sync')
  syncAccount(payload: JobPayloads['devices.sync']) {
    return this.sync.syncAccount(payload.accountId, DEVICE_SYNC_SCOPE);
  }

  @HandlesJob('devices.sync-all')
  async syncAll() {
    const accountIds = await this.sync.syncableAccountIds();
    const window = Math.floor(Date.now() / SYNC_ALL_EVERY_MS);
    for (const accountId of accountIds) {
      await this.producer.enqueue(
        'devices.sync',
        { accountId },
        { jobId: jobIdOf('devices.sync', accountId, `all-${window}`) },
      );
    }
    return { accounts: accountIds.length };
  }
}
