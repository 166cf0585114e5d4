import { Injectable } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { VendorAccountService } from '@fleetgate/vendors';
import { FleetEvents } from '../events/fleet-events';
import { TaskProgress } from '../tasks/task-progress';

export interface CallbackApplied {
  events: number;
  alreadyApplied?: boolean;
}

/** Applies a stored callback: task progress through TaskProgress, device status onto the device. */
@Injectable()
export class CallbackApplier {
  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: VendorAccountService,
    private readonly progress: TaskProgress,
    private readonly events: FleetEvents,
  ) {}

  /** Applies a batch in the order received; each callback at most once (appliedAt guards a rerun). */
  async applyAll(inboxIds: string[]): Promise<CallbackApplied> {
    let events = 0;
    for (const inboxId of inboxIds) events += (await this.apply(inboxId)).events;
    return { events };
  }

  async apply(inboxId: string): Promise<CallbackApplied> {
    const row = await this.prisma.callbackInbox.findUnique({ where: { id: inboxId } });
    if (!row) return { events: 0, alreadyApplied: true };
    if (row.appliedAt) return { events: row.events ?? 0, alreadyApplied: true };
    const adapter = await this.accounts.adapterFor(row.accountId);
    const events = adapter.parseCallback({ headers: {}, body: row.payload });
    for (const event of events) {
      if (event.kind === 'task.progress') {
        await this.progress.apply(row.accountId, [event.progress]);
      } else {
        const at = event.at ? new Date(event.at) : new Date();
        const device = await this.prisma.device.findUnique({
          where: { accountId_vendorRef: { accountId: row.accountId, vendorRef: event.vendorRef } },
          select: { id: true, status: true },
        });
        if (!device) continue;
        // An older status report never overwrites a newer one.
        const { count } = await this.prisma.device.updateMany({
          where: { id: device.id, OR: [{ statusAt: null }, { statusAt: { lte: at } }] },
          data: { status: event.status, statusAt: at, ...(event.status === 'online' ? { lastSeenAt: at } : {}) },
        });
        if (count > 0 && device.status !== event.status) {
          await this.events.publish('device.status_changed', {
            deviceId: device.id,
            accountId: row.accountId,
            vendorRef: event.vendorRef,
            status: event.status,
            previousStatus: device.status,
          });
        }
      }
    }
    await this.prisma.callbackInbox.update({
      where: { id: inboxId },
      data: { appliedAt: new Date(), events: events.length },
    });
    return { events: events.length };
  }
}
