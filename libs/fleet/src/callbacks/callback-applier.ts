import { Injectable } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { jobIdOf, JobProducer } from '@fleetgate/queues';
import {
  VendorAccountService,
  type VendorAdapter,
  type VendorEvent,
  type VendorTaskProgress,
} from '@fleetgate/vendors';
import { FleetEvents } from '../events/fleet-events';
import { TaskProgress } from '../tasks/task-progress';

export interface CallbackApplied {
  /** Callbacks this call applied (claimed, not applied before). */
  applied: number;
  events: number;
}

/** Callbacks per apply job when unapplied ones are enqueued again; and at most per sweep. */
const APPLY_CHUNK = 500;
const SWEEP_LIMIT = 20 * APPLY_CHUNK;
/** How long an apply job holds its callbacks: far longer than applying 500 of them takes. */
const CLAIM_SECONDS = 120;
/** Rows deleted per statement by the retention purge, so that no statement holds locks for long. */
const PURGE_CHUNK = 10_000;

/** Applies stored callbacks: task progress through TaskProgress, device status onto the device. */
@Injectable()
export class CallbackApplier {
  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: VendorAccountService,
    private readonly progress: TaskProgress,
    private readonly events: FleetEvents,
    private readonly producer: JobProducer,
  ) {}

  /**
   * Applies a batch in the order received, each callback once. The batch's rows are claimed first (a
   * lease, not a held transaction, which would pin a connection while applying needs others): another
   * job covering the same callbacks (a swept or recovered one) skips them, and a job that dies lets
   * them go when the lease ends, to be applied again. Applying twice would change nothing: targets
   * only move forward, a device's status only to a newer report.
   */
  async applyAll(inboxIds: string[]): Promise<CallbackApplied> {
    // Joined by id, not `id = ANY(...)`: that form lets the planner combine the pkey with the partial
    // index of unapplied callbacks, whose dead entries (until vacuum) made each claim scan thousands.
    const claimed = await this.prisma.$queryRaw<Array<{ id: string; account_id: string; payload: unknown }>>`
      UPDATE callback_inbox SET claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS})
      FROM unnest(${inboxIds}::uuid[]) AS wanted(id)
      WHERE callback_inbox.id = wanted.id AND applied_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
      RETURNING callback_inbox.id, account_id::text, payload`;
    if (claimed.length === 0) return { applied: 0, events: 0 };
    const position = new Map(inboxIds.map((id, index) => [id, index]));
    const rows = claimed.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
    const ids = rows.map((row) => row.id);
    try {
      const counts = await this.applyRows(rows);
      await this.prisma.$executeRaw`
        UPDATE callback_inbox SET applied_at = now(), claimed_until = NULL, events = applied.events
        FROM unnest(${ids}::uuid[], ${counts}::int[]) AS applied(id, events)
        WHERE callback_inbox.id = applied.id`;
      return { applied: rows.length, events: counts.reduce((sum, count) => sum + count, 0) };
    } catch (error) {
      // Let them go at once, so that the job's retry takes them again.
      await this.prisma.$executeRaw`UPDATE callback_inbox SET claimed_until = NULL WHERE id = ANY(${ids}::uuid[])`;
      throw error;
    }
  }

  /** Applies the claimed rows in order; answers the events each produced. */
  private async applyRows(rows: Array<{ account_id: string; payload: unknown }>): Promise<number[]> {
    const adapters = new Map<string, VendorAdapter>();
    const progressByAccount = new Map<string, VendorTaskProgress[]>();
    const counts: number[] = [];
    for (const row of rows) {
      const adapter = adapters.get(row.account_id) ?? (await this.accounts.adapterFor(row.account_id));
      adapters.set(row.account_id, adapter);
      const events = adapter.parseCallback({ headers: {}, body: row.payload });
      counts.push(events.length);
      for (const event of events) {
        if (event.kind === 'task.progress') {
          const progress = progressByAccount.get(row.account_id) ?? [];
          progress.push(event.progress);
          progressByAccount.set(row.account_id, progress);
        } else {
          await this.applyDeviceStatus(row.account_id, event);
        }
      }
    }
    // One pass per account: each task the batch touched is recomputed once, not once per callback.
    for (const [accountId, progress] of progressByAccount) await this.progress.apply(accountId, progress);
    return counts;
  }

  /**
   * Enqueues apply jobs for callbacks stored more than `olderThanMs` ago and still unapplied: their
   * job was never enqueued (the gateway died after the commit, Redis was down) or was lost with
   * Redis. `tag` keeps these job ids apart from the gateway's; answers the jobs enqueued.
   */
  async enqueueUnapplied(olderThanMs: number, ...tag: string[]): Promise<number> {
    const unapplied = await this.prisma.callbackInbox.findMany({
      where: { appliedAt: null, receivedAt: { lte: new Date(Date.now() - olderThanMs) } },
      select: { id: true },
      orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
      take: SWEEP_LIMIT,
    });
    let jobs = 0;
    for (let start = 0; start < unapplied.length; start += APPLY_CHUNK) {
      const inboxIds = unapplied.slice(start, start + APPLY_CHUNK).map((row) => row.id);
      await this.producer.enqueue(
        'callbacks.apply',
        { inboxIds },
        { jobId: jobIdOf('callbacks.apply', inboxIds[0], ...tag) },
      );
      jobs++;
    }
    return jobs;
  }

  /**
   * Deletes applied callbacks received more than `olderThanHours` ago, and their dedupe keys with
   * them (CALLBACK_RETENTION_HOURS). A callback not applied yet is owed work and stays, whatever its age.
   */
  async purgeApplied(olderThanHours: number): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanHours * 3_600_000);
    let deleted = 0;
    for (;;) {
      const count = await this.prisma.$executeRaw`
        DELETE FROM callback_inbox WHERE id IN (
          SELECT id FROM callback_inbox
          WHERE received_at < ${cutoff} AND applied_at IS NOT NULL
          LIMIT ${PURGE_CHUNK})`;
      deleted += count;
      if (count < PURGE_CHUNK) return deleted;
    }
  }

  private async applyDeviceStatus(
    accountId: string,
    event: Extract<VendorEvent, { kind: 'device.status' }>,
  ): Promise<void> {
    const at = event.at ? new Date(event.at) : new Date();
    const device = await this.prisma.device.findUnique({
      where: { accountId_vendorRef: { accountId, vendorRef: event.vendorRef } },
      select: { id: true, status: true },
    });
    if (!device) return;
    // An older status report never overwrites a newer one.
    const { count } = await this.prisma.device.updateMany({
      where: { id: device.id, OR: [{ statusAt: null }, { statusAt: { lte: at } }] },
      data: { status: event.status, statusAt: at, ...(event.status === 'online' ? { lastSeenAt: at } : {}) },
    });
    if (count > 0 && device.status !== event.status) {
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
