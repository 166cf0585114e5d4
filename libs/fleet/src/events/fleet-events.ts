import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { filter, map, Observable, Subject } from 'rxjs';
import { Permission } from '@fleetgate/auth';
import { type Prisma, Transactions } from '@fleetgate/persistence';
import { jobIdOf, Outbox } from '@fleetgate/queues';
import { type RedisClient, RedisConnections } from '@fleetgate/redis';
import { DeviceRepository } from '../devices/device.repository';
import { type AccessScope, ownerInScope, type RecordOwner, systemScope } from '../scope/access-scope';
import { type AccessNow, UserAccessNow } from '../scope/user-access-now';
import { TaskRepository } from '../tasks/task.repository';
import { EventDeliveryRepository } from './event-delivery.repository';
import { EventSubscriptionRepository } from './event-subscription.repository';

export const FLEET_EVENT_TYPES = ['task.updated', 'task.completed', 'device.status_changed'] as const;
export type FleetEventType = (typeof FLEET_EVENT_TYPES)[number];

export interface FleetEvent {
  id: string;
  type: FleetEventType;
  /** ISO 8601. */
  createdAt: string;
  data: Record<string, unknown>;
}

/** Subscriptions, and their creators' access, are read at most this often per process: events can be many a second. */
const SUBSCRIPTION_CACHE_MS = 5_000;

/**
 * Events are raised by the system about any task or device; each subscription then receives only
 * those within its creator's current scope.
 */
const EVENTS_SCOPE = systemScope('an event is matched against every subscription, each within its own scope');

/** An event as broadcast between processes: with the owner of its task or device, for data scopes. */
interface ScopedEvent {
  event: FleetEvent;
  owner: RecordOwner;
}

/** An enabled subscription, with its creator's current scope (events reach it only within it). */
interface ActiveSubscription {
  id: string;
  eventTypes: string[];
  scope: AccessScope;
}

/**
 * Fleetgate's events out. publish() stores one delivery per matching subscription with its delivery
 * job (one transaction, through the outbox), and broadcasts the event over Redis pub/sub so that the
 * Server-Sent Events stream of every gateway sees events raised in any process (the worker raises most).
 */
@Injectable()
export class FleetEvents implements OnModuleDestroy {
  private readonly logger = new Logger(FleetEvents.name);
  private readonly channel: string;
  private subscriber?: RedisClient;
  private readonly live = new Subject<ScopedEvent>();
  private subscriptions?: { at: number; rows: Promise<ActiveSubscription[]> };

  constructor(
    private readonly transactions: Transactions,
    private readonly eventSubscriptions: EventSubscriptionRepository,
    private readonly eventDeliveries: EventDeliveryRepository,
    private readonly devices: DeviceRepository,
    private readonly tasks: TaskRepository,
    private readonly outbox: Outbox,
    private readonly redis: RedisConnections,
    private readonly accessNow: UserAccessNow,
  ) {
    this.channel = redis.key('events');
  }

  async publish(type: FleetEventType, data: Record<string, unknown>): Promise<FleetEvent> {
    const event: FleetEvent = { id: randomUUID(), type, createdAt: new Date().toISOString(), data };
    const owner = await this.ownerOf(type, data);
    const targets = (await this.activeSubscriptions()).filter(
      (subscription) =>
        (subscription.eventTypes.length === 0 || subscription.eventTypes.includes(type)) &&
        ownerInScope(subscription.scope, owner),
    );
    if (targets.length > 0) {
      const deliveries = targets.map((subscription) => ({ id: randomUUID(), subscriptionId: subscription.id }));
      await this.transactions.run(async (tx) => {
        await this.eventDeliveries.createMany(
          EVENTS_SCOPE,
          deliveries.map((delivery) => ({
            ...delivery,
            eventId: event.id,
            eventType: type,
            payload: event as unknown as Prisma.InputJsonValue,
            departmentId: owner.departmentId,
            ownerId: owner.userId,
          })),
          tx,
        );
        for (const delivery of deliveries) {
          await this.outbox.stage(
            tx,
            'events.deliver',
            { deliveryId: delivery.id },
            jobIdOf('events.deliver', delivery.id, 0),
          );
        }
      });
      this.outbox.relaySoon();
    }
    // The live stream is best effort; deliveries above are the durable path.
    this.redis.commands
      .publish(this.channel, JSON.stringify({ event, owner } satisfies ScopedEvent))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'event broadcast failed'));
    return event;
  }

  /** Every event within the scope raised in any process from now on, for Server-Sent Events. */
  stream(scope: AccessScope): Observable<FleetEvent> {
    if (!this.subscriber) {
      // A subscribed connection takes no other commands: it is one of its own.
      const subscriber = this.redis.dedicated('events-subscriber', { maxRetriesPerRequest: 2 });
      this.subscriber = subscriber;
      subscriber.on('message', (_channel, message) => this.live.next(JSON.parse(message) as ScopedEvent));
      void subscriber.subscribe(this.channel);
    }
    return this.live.pipe(
      filter(({ owner }) => ownerInScope(scope, owner)),
      map(({ event }) => event),
    );
  }

  /** Forget cached subscriptions (after one changes in this process). */
  invalidateSubscriptions(): void {
    this.subscriptions = undefined;
  }

  onModuleDestroy(): void {
    this.live.complete();
    this.subscriber?.disconnect();
  }

  /**
   * The department and user of the task or device an event is about. An event about a record gone
   * meanwhile belongs to no one: only scopes that reach everything see it.
   */
  private async ownerOf(type: FleetEventType, data: Record<string, unknown>): Promise<RecordOwner> {
    if (type === 'device.status_changed' && typeof data.deviceId === 'string') {
      const device = await this.devices.ownerOf(EVENTS_SCOPE, data.deviceId);
      return { departmentId: device?.departmentId ?? null, userId: device?.ownerId ?? null };
    }
    if (typeof data.taskId === 'string') {
      const task = await this.tasks.ownerOf(EVENTS_SCOPE, data.taskId);
      return { departmentId: task?.departmentId ?? null, userId: task?.createdById ?? null };
    }
    return { departmentId: null, userId: null };
  }

  /**
   * Enabled subscriptions whose creator currently holds events:read, each with the creator's current scope.
   * A subscription without a creator, or whose creator was disabled, deleted or lost events:read,
   * receives nothing.
   */
  private activeSubscriptions(): Promise<ActiveSubscription[]> {
    if (!this.subscriptions || Date.now() - this.subscriptions.at > SUBSCRIPTION_CACHE_MS) {
      const rows = this.loadSubscriptions();
      this.subscriptions = { at: Date.now(), rows };
      rows.catch(() => (this.subscriptions = undefined));
    }
    return this.subscriptions.rows;
  }

  private async loadSubscriptions(): Promise<ActiveSubscription[]> {
    const rows = await this.eventSubscriptions.enabled(EVENTS_SCOPE);
    const active: ActiveSubscription[] = [];
    const byCreator = new Map<string | null, Promise<AccessNow>>();
    for (const row of rows) {
      if (!byCreator.has(row.createdById)) byCreator.set(row.createdById, this.accessNow.of(row.createdById));
      const access = await byCreator.get(row.createdById)!;
      if (access.granted && access.holds(Permission.EventsRead)) {
        active.push({ id: row.id, eventTypes: row.eventTypes, scope: access.scope });
      }
    }
    return active;
  }
}
