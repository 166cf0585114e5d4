import { Injectable } from '@nestjs/common';
import { type Db, type EventSubscription, PrismaService } from '@fleetgate/persistence';
import type { AccessScope, CallerScope } from '../scope/access-scope';
import { subscriptionsInScope } from '../scope/data-scope-where';

export interface NewEventSubscription {
  name: string;
  url: string;
  eventTypes: string[];
  secretSealed: string;
}

export interface EventSubscriptionChanges {
  url?: string;
  eventTypes?: string[];
  enabled?: boolean;
  secretSealed?: string;
  /** The caller the subscription acts for from now on (events reach it within their scope). */
  actsFor?: CallerScope;
}

/** An enabled subscription: what it receives, and whose scope bounds it. */
export interface EnabledEventSubscription {
  id: string;
  eventTypes: string[];
  createdById: string | null;
}

/**
 * The `event_subscriptions` table. Every read and write takes the scope it acts within and applies it
 * in the statement. A subscription belongs to the user it acts for and to their department.
 */
@Injectable()
export class EventSubscriptionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A new subscription acts for its creator. */
  create(scope: CallerScope, subscription: NewEventSubscription, db: Db = this.prisma): Promise<EventSubscription> {
    return db.eventSubscription.create({ data: { ...subscription, ...actorColumns(scope) } });
  }

  list(scope: AccessScope, db: Db = this.prisma): Promise<EventSubscription[]> {
    return db.eventSubscription.findMany({ where: subscriptionsInScope(scope), orderBy: { name: 'asc' } });
  }

  find(scope: AccessScope, id: string, db: Db = this.prisma): Promise<EventSubscription | null> {
    return db.eventSubscription.findFirst({ where: { id, ...subscriptionsInScope(scope) } });
  }

  /** Enabled subscriptions, with whom each acts for. */
  enabled(scope: AccessScope, db: Db = this.prisma): Promise<EnabledEventSubscription[]> {
    return db.eventSubscription.findMany({
      where: { enabled: true, ...subscriptionsInScope(scope) },
      select: { id: true, eventTypes: true, createdById: true },
    });
  }

  update(
    scope: AccessScope,
    id: string,
    { actsFor, ...changes }: EventSubscriptionChanges,
    db: Db = this.prisma,
  ): Promise<EventSubscription> {
    return db.eventSubscription.update({
      where: { id, AND: subscriptionsInScope(scope) },
      data: { ...changes, ...(actsFor ? actorColumns(actsFor) : {}) },
    });
  }

  /** Its deliveries go with it. */
  async delete(scope: AccessScope, id: string, db: Db = this.prisma): Promise<void> {
    await db.eventSubscription.delete({ where: { id, AND: subscriptionsInScope(scope) } });
  }
}

/** The user a subscription acts for, and the department it belongs to. */
function actorColumns(scope: CallerScope) {
  return { createdById: scope.userId, departmentId: scope.departmentId };
}
