import { Injectable } from '@nestjs/common';
import {
  type Db,
  type EventDelivery,
  type EventSubscription,
  type Prisma,
  PrismaService,
} from '@fleetgate/persistence';
import type { AccessScope, SystemScope } from '../scope/access-scope';
import { deliveriesInScope } from '../scope/data-scope-where';

/** One event's delivery to one subscription, owned as the event's task or device is. */
export interface NewEventDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  payload: Prisma.InputJsonValue;
  departmentId: string | null;
  ownerId: string | null;
}

/** The outcome of one attempt to deliver: a delivery left without an outcome stays pending (it is retried). */
export interface DeliveryAttempt {
  statusCode: number | null;
  error: string | null;
  outcome?: 'delivered' | 'failed';
}

/**
 * The `event_deliveries` table. Every read and write takes the scope it acts within and applies it in
 * the statement: a delivery is seen with its subscription, and only about tasks and devices in scope.
 */
@Injectable()
export class EventDeliveryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Deliveries are stored by the system, for every subscription an event matches. */
  async createMany(_scope: SystemScope, deliveries: NewEventDelivery[], db: Db = this.prisma): Promise<void> {
    await db.eventDelivery.createMany({ data: deliveries });
  }

  async list(
    scope: AccessScope,
    subscriptionId: string,
    status: string | undefined,
    page: { skip: number; take: number },
    db: Db = this.prisma,
  ): Promise<{ rows: EventDelivery[]; total: number }> {
    const where = { AND: [{ subscriptionId, ...(status ? { status } : {}) }, deliveriesInScope(scope)] };
    const [rows, total] = await Promise.all([
      db.eventDelivery.findMany({ where, orderBy: { createdAt: 'desc' }, skip: page.skip, take: page.take }),
      db.eventDelivery.count({ where }),
    ]);
    return { rows, total };
  }

  find(scope: AccessScope, subscriptionId: string, id: string, db: Db = this.prisma): Promise<EventDelivery | null> {
    return db.eventDelivery.findFirst({ where: { AND: [{ id, subscriptionId }, deliveriesInScope(scope)] } });
  }

  /** A delivery with the subscription it goes to. */
  findWithSubscription(
    scope: AccessScope,
    id: string,
    db: Db = this.prisma,
  ): Promise<(EventDelivery & { subscription: EventSubscription }) | null> {
    return db.eventDelivery.findUnique({
      where: { id, AND: deliveriesInScope(scope) },
      include: { subscription: true },
    });
  }

  /** Sends a delivery round again: pending, not delivered. */
  markPending(scope: AccessScope, id: string, db: Db = this.prisma): Promise<EventDelivery> {
    return db.eventDelivery.update({
      where: { id, AND: deliveriesInScope(scope) },
      data: { status: 'pending', deliveredAt: null },
    });
  }

  async recordAttempt(scope: AccessScope, id: string, attempt: DeliveryAttempt, db: Db = this.prisma): Promise<void> {
    await db.eventDelivery.update({
      where: { id, AND: deliveriesInScope(scope) },
      data: {
        attempts: { increment: 1 },
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
        ...(attempt.outcome === 'failed' ? { status: 'failed' } : {}),
        ...(attempt.outcome === 'delivered' ? { status: 'delivered', deliveredAt: new Date() } : {}),
      },
    });
  }

  /** Ids of pending deliveries after `afterId`, in id order, `take` at most. */
  async pendingIds(
    scope: AccessScope,
    afterId: string | undefined,
    take: number,
    db: Db = this.prisma,
  ): Promise<string[]> {
    const rows = await db.eventDelivery.findMany({
      where: { status: 'pending', ...(afterId ? { id: { gt: afterId } } : {}), ...deliveriesInScope(scope) },
      select: { id: true },
      orderBy: { id: 'asc' },
      take,
    });
    return rows.map((row) => row.id);
  }
}
