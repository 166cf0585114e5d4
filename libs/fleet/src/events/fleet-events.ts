import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable, Subject } from 'rxjs';
import { FleetgateConfig } from '@fleetgate/config';
import { type Prisma, PrismaService } from '@fleetgate/persistence';
import { jobIdOf, Outbox } from '@fleetgate/queues';

export const FLEET_EVENT_TYPES = ['task.updated', 'task.completed', 'device.status_changed'] as const;
export type FleetEventType = (typeof FLEET_EVENT_TYPES)[number];

export interface FleetEvent {
  id: string;
  type: FleetEventType;
  /** ISO 8601. */
  createdAt: string;
  data: Record<string, unknown>;
}

/** Subscriptions are read at most this often per process: events can be many a second. */
const SUBSCRIPTION_CACHE_MS = 5_000;

/**
 * Fleetgate's events out. publish() stores one delivery per matching subscription with its delivery
 * job (one transaction, through the outbox), and broadcasts the event over Redis pub/sub so that the
 * Server-Sent Events stream of every gateway sees events raised in any process (the worker raises most).
 */
@Injectable()
export class FleetEvents implements OnModuleDestroy {
  private readonly logger = new Logger(FleetEvents.name);
  private readonly channel: string;
  private publisher?: Redis;
  private subscriber?: Redis;
  private readonly live = new Subject<FleetEvent>();
  private subscriptions?: { at: number; rows: Array<{ id: string; eventTypes: string[] }> };

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: Outbox,
    private readonly config: FleetgateConfig,
  ) {
    this.channel = `${config.REDIS_PREFIX}:events`;
  }

  async publish(type: FleetEventType, data: Record<string, unknown>): Promise<FleetEvent> {
    const event: FleetEvent = { id: randomUUID(), type, createdAt: new Date().toISOString(), data };
    const targets = (await this.activeSubscriptions()).filter(
      (subscription) => subscription.eventTypes.length === 0 || subscription.eventTypes.includes(type),
    );
    if (targets.length > 0) {
      const deliveries = targets.map((subscription) => ({ id: randomUUID(), subscriptionId: subscription.id }));
      await this.prisma.$transaction(async (tx) => {
        await tx.eventDelivery.createMany({
          data: deliveries.map((delivery) => ({
            ...delivery,
            eventId: event.id,
            eventType: type,
            payload: event as unknown as Prisma.InputJsonValue,
          })),
        });
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
    this.redis('publisher')
      .publish(this.channel, JSON.stringify(event))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'event broadcast failed'));
    return event;
  }

  /** Every event raised in any process from now on, for Server-Sent Events. */
  stream(): Observable<FleetEvent> {
    if (!this.subscriber) {
      const subscriber = this.redis('subscriber');
      subscriber.on('message', (_channel, message) => this.live.next(JSON.parse(message) as FleetEvent));
      void subscriber.subscribe(this.channel);
    }
    return this.live.asObservable();
  }

  /** Forget cached subscriptions (after one changes in this process). */
  invalidateSubscriptions(): void {
    this.subscriptions = undefined;
  }

  onModuleDestroy(): void {
    this.live.complete();
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
  }

  private async activeSubscriptions() {
    if (!this.subscriptions || Date.now() - this.subscriptions.at > SUBSCRIPTION_CACHE_MS) {
      const rows = await this.prisma.eventSubscription.findMany({
        where: { enabled: true },
        select: { id: true, eventTypes: true },
      });
      this.subscriptions = { at: Date.now(), rows };
    }
    return this.subscriptions.rows;
  }

  private redis(role: 'publisher' | 'subscriber'): Redis {
    const existing = role === 'publisher' ? this.publisher : this.subscriber;
    if (existing) return existing;
    const client = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: 2 });
    client.on('error', () => undefined); // surfaced by /health/ready
    if (role === 'publisher') this.publisher = client;
    else this.subscriber = client;
    return client;
  }
}
