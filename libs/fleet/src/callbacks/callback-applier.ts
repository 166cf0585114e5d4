import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { FleetgateConfig } from '@fleetgate/config';
import { MetricsRegistry } from '@fleetgate/observability';
import { jobIdOf, JobProducer } from '@fleetgate/queues';
import {
  VendorAccountService,
  type VendorAdapter,
  type VendorEvent,
  type VendorTaskProgress,
} from '@fleetgate/vendors';
import { DeviceRepository } from '../devices/device.repository';
import { FleetEvents } from '../events/fleet-events';
import { systemScope } from '../scope/access-scope';
import { TaskProgress } from '../tasks/task-progress';
import { CallbackInboxRepository, type ClaimedCallback } from './callback-inbox.repository';

export interface CallbackApplied {
  /** Callbacks this call applied (claimed, not applied before). */
  applied: number;
  events: number;
  /** Callbacks whose apply failed this time; they stay owed, with their error and attempt count. */
  failed: number;
  /** Of those, the ones that reached CALLBACK_MAX_ATTEMPTS and are dead-lettered. */
  deadLettered: number;
}

/** Callbacks per apply job when unapplied ones are enqueued again; and at most per sweep. */
const APPLY_CHUNK = 500;
const SWEEP_LIMIT = 20 * APPLY_CHUNK;
/** How long an apply job holds its callbacks: far longer than applying 500 of them takes. */
const CLAIM_SECONDS = 120;
/** Rows deleted per statement by the retention purge, so that no statement holds locks for long. */
const PURGE_CHUNK = 10_000;
/** Longest apply error kept on a callback. */
const ERROR_MAX_CHARS = 2_000;

/** A vendor reports on any of its account's devices, whoever they belong to. */
const CALLBACK_SCOPE = systemScope('a vendor callback reports on any device of its account');

/** A row's outcome: the events it produced, or why it could not be applied. */
type RowOutcome = { events: number } | { error: string };

/**
 * Applies stored callbacks: task progress through TaskProgress, device status onto the device. Each
 * callback succeeds or fails alone: a failed one keeps its error and attempt count and is tried again
 * by the sweep, until CALLBACK_MAX_ATTEMPTS dead-letters it.
 */
@Injectable()
export class CallbackApplier {
  private readonly logger = new Logger(CallbackApplier.name);

  constructor(
    private readonly inbox: CallbackInboxRepository,
    private readonly devices: DeviceRepository,
    private readonly accounts: VendorAccountService,
    private readonly progress: TaskProgress,
    private readonly events: FleetEvents,
    private readonly producer: JobProducer,
    private readonly config: FleetgateConfig,
    metrics: MetricsRegistry,
  ) {
    new Gauge({
      name: 'fleetgate_callbacks_dead_lettered',
      help: 'Vendor callbacks dead-lettered after CALLBACK_MAX_ATTEMPTS failed applies (kept, no longer applied)',
      registers: [metrics.registry],
      async collect() {
        this.set(await inbox.countDeadLettered());
      },
    });
  }

  /**
   * Applies a batch in the order received, each callback once. The batch's rows are claimed first (a
   * lease, not a held transaction, which would pin a connection while applying needs others): another
   * job covering the same callbacks (a swept or recovered one) skips them, and a job that dies lets
   * them go when the lease ends, to be applied again. Applying twice would change nothing: targets
   * only move forward, a device's status only to a newer report. A callback that fails is let go
   * with its error and one more attempt counted; the others are marked applied all the same.
   */
  async applyAll(inboxIds: string[]): Promise<CallbackApplied> {
    const claimed = await this.inbox.claim(inboxIds, CLAIM_SECONDS);
    if (claimed.length === 0) return { applied: 0, events: 0, failed: 0, deadLettered: 0 };
    const position = new Map(inboxIds.map((id, index) => [id, index]));
    const rows = claimed.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
    try {
      const outcomes = await this.applyRows(rows);
      const applied = rows.flatMap((row, index) => {
        const outcome = outcomes[index];
        return 'events' in outcome ? [{ id: row.id, events: outcome.events }] : [];
      });
      const failed = rows.flatMap((row, index) => {
        const outcome = outcomes[index];
        return 'error' in outcome ? [{ id: row.id, error: outcome.error }] : [];
      });
      if (applied.length > 0) await this.inbox.markApplied(applied);
      const deadLettered = failed.length > 0 ? await this.recordFailures(failed) : 0;
      return {
        applied: applied.length,
        events: applied.reduce((sum, row) => sum + row.events, 0),
        failed: failed.length,
        deadLettered,
      };
    } catch (error) {
      // Recording the outcomes failed (the database went away): let them all go at once, so that
      // the job's retry takes them again, and count no attempt against any of them.
      await this.inbox.release(rows.map((row) => row.id));
      throw error;
    }
  }

  /**
   * Lets failed callbacks go with their error and one more attempt; those reaching
   * CALLBACK_MAX_ATTEMPTS are dead-lettered. Answers how many were.
   */
  private async recordFailures(failed: Array<{ id: string; error: string }>): Promise<number> {
    const recorded = await this.inbox.recordFailures(failed, this.config.CALLBACK_MAX_ATTEMPTS);
    const dead = recorded.filter((row) => row.dead);
    for (const row of failed) this.logger.warn({ callback: row.id, error: row.error }, 'vendor callback not applied');
    for (const row of dead) {
      this.logger.error(
        { callback: row.id, attempts: this.config.CALLBACK_MAX_ATTEMPTS, error: row.error },
        'vendor callback dead-lettered',
      );
    }
    return dead.length;
  }

  /**
   * Applies the claimed rows in order; answers each row's outcome. Task progress of the whole batch is
   * applied in one pass per account; when that pass fails, each row's progress is applied alone, so
   * that the failure is pinned on the callbacks that cause it (applying progress again is harmless).
   */
  private async applyRows(rows: ClaimedCallback[]): Promise<RowOutcome[]> {
    const adapters = new Map<string, Promise<VendorAdapter>>();
    const progressByAccount = new Map<string, Array<{ index: number; progress: VendorTaskProgress[] }>>();
    const outcomes: RowOutcome[] = [];
    for (const [index, row] of rows.entries()) {
      try {
        let adapter = adapters.get(row.account_id);
        if (!adapter) {
          adapter = this.accounts.adapterFor(row.account_id);
          adapters.set(row.account_id, adapter);
        }
        const events = (await adapter).parseCallback({ headers: {}, body: row.payload });
        const progress: VendorTaskProgress[] = [];
        for (const event of events) {
          if (event.kind === 'task.progress') progress.push(event.progress);
          // A report without a time of its own is as recent as its arrival (ArmCloud instance state).
          else await this.applyDeviceStatus(row.account_id, event, event.at ? new Date(event.at) : row.received_at);
        }
        if (progress.length > 0) {
          const ofAccount = progressByAccount.get(row.account_id) ?? [];
          ofAccount.push({ index, progress });
          progressByAccount.set(row.account_id, ofAccount);
        }
        outcomes.push({ events: events.length });
      } catch (error) {
        outcomes.push({ error: describe(error) });
      }
    }
    // One pass per account: each task the batch touched is recomputed once, not once per callback.
    for (const [accountId, entries] of progressByAccount) {
      try {
        await this.progress.apply(
          accountId,
          entries.flatMap((entry) => entry.progress),
        );
      } catch {
        for (const entry of entries) {
          try {
            await this.progress.apply(accountId, entry.progress);
          } catch (error) {
            outcomes[entry.index] = { error: describe(error) };
          }
        }
      }
    }
    return outcomes;
  }

  /**
   * Enqueues apply jobs for callbacks stored more than `olderThanMs` ago and still unapplied: their
   * job was never enqueued (the gateway died after the commit, Redis was down) or was lost with
   * Redis. `tag` keeps these job ids apart from the gateway's; answers the jobs enqueued.
   */
  async enqueueUnapplied(olderThanMs: number, ...tag: string[]): Promise<number> {
    const unapplied = await this.unappliedIds(olderThanMs);
    let jobs = 0;
    for (let start = 0; start < unapplied.length; start += APPLY_CHUNK) {
      const inboxIds = unapplied.slice(start, start + APPLY_CHUNK);
      await this.producer.enqueue(
        'callbacks.apply',
        { inboxIds },
        { jobId: jobIdOf('callbacks.apply', inboxIds[0], ...tag) },
      );
      jobs++;
    }
    return jobs;
  }

  /** Callbacks stored more than `olderThanMs` ago and still owed, oldest first, at most one sweep's worth. */
  async unappliedIds(olderThanMs: number): Promise<string[]> {
    return this.inbox.unappliedIds(new Date(Date.now() - olderThanMs), SWEEP_LIMIT);
  }

  /**
   * Deletes applied callbacks received more than `olderThanHours` ago, and their dedupe keys with
   * them (CALLBACK_RETENTION_HOURS). A callback not applied yet is owed work and stays, whatever its age.
   */
  async purgeApplied(olderThanHours: number): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanHours * 3_600_000);
    let deleted = 0;
    for (;;) {
      const count = await this.inbox.deleteAppliedBefore(cutoff, PURGE_CHUNK);
      deleted += count;
      if (count < PURGE_CHUNK) return deleted;
    }
  }

  private async applyDeviceStatus(
    accountId: string,
    event: Extract<VendorEvent, { kind: 'device.status' }>,
    at: Date,
  ): Promise<void> {
    const device = await this.devices.findByVendorRef(CALLBACK_SCOPE, accountId, event.vendorRef);
    if (!device) return;
    // An older status report never overwrites a newer one.
    const recorded = await this.devices.recordStatus(CALLBACK_SCOPE, device.id, event.status, at);
    if (recorded && device.status !== event.status) {
      await this.events.publish('device.status_changed', {
        deviceId: device.id,
        accountId,
        vendorRef: event.vendorRef,
        status: event.status,
        previousStatus: device.status,
      });
    }
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, ERROR_MAX_CHARS);
}
