import { Injectable } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { CallbackApplier, DeviceSyncService, systemScope } from '@fleetgate/fleet';
import { HandlesJob, jobIdOf, JOB_REPEATS, type JobPayloads, JobProducer } from '@fleetgate/queues';

/** A sync-all enqueues one sync per account per interval of its repeat: the window in their job ids. */
const SYNC_ALL_EVERY_MS = JOB_REPEATS['devices.sync-all'].every;
/** One sweep per interval of its repeat: the window in the ids of the apply jobs it enqueues. */
const SWEEP_EVERY_MS = JOB_REPEATS['callbacks.sweep'].every;
/**
 * How old stored callbacks left unapplied must be to be swept: older than any apply job the gateway
 * enqueued would take to start, so that a sweep rarely doubles one.
 */
const SWEEP_OLDER_THAN_MS = 60_000;
/** An inventory sync is no user's: it writes every device the vendor reports for the account. */
const DEVICE_SYNC_SCOPE = systemScope('vendor inventory sync of an account');

/** Vendor callbacks from the inbox, and inventory syncs. */
@Injectable()
export class InboundJobsHandler {
  constructor(
    private readonly callbacks: CallbackApplier,
    private readonly sync: DeviceSyncService,
    private readonly producer: JobProducer,
    private readonly config: FleetgateConfig,
  ) {}

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
