import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import type { EventDelivery, EventSubscription } from '@fleetgate/persistence';
import { OutboundUrlGuard, paged, type Paged, SecretBox } from '@fleetgate/platform';
import { jobIdOf, JobProducer } from '@fleetgate/queues';
import type {
  CreatedEventSubscriptionDto,
  CreateEventSubscriptionDto,
  EventDeliveryDto,
  EventDeliveryQueryDto,
  EventSubscriptionDto,
  UpdateEventSubscriptionDto,
} from './event-subscription.dto';
import { type AccessScope, type CallerScope } from '../scope/access-scope';
import { EventDeliveryRepository } from './event-delivery.repository';
import { EventSubscriptionRepository } from './event-subscription.repository';
import { FleetEvents } from './fleet-events';

/**
 * Subscriptions to Fleetgate's events: their signing secret is sealed at rest and shown once. Each
 * belongs to its creator (or whoever last redirected it or rotated its secret) and their department,
 * is seen within data scopes as tasks are, and receives only events about tasks and devices in that
 * user's current scope.
 */
@Injectable()
export class EventSubscriptionService {
  private readonly box: SecretBox;

  constructor(
    private readonly subscriptions: EventSubscriptionRepository,
    private readonly eventDeliveries: EventDeliveryRepository,
    private readonly events: FleetEvents,
    private readonly producer: JobProducer,
    private readonly outbound: OutboundUrlGuard,
    config: FleetgateConfig,
  ) {
    this.box = new SecretBox(config.SECRETS_KEY, config.SECRETS_KEY_PREVIOUS);
  }

  async create(input: CreateEventSubscriptionDto, scope: CallerScope): Promise<CreatedEventSubscriptionDto> {
    await this.outbound.check(input.url, 'url');
    const secret = randomBytes(32).toString('base64url');
    const row = await this.subscriptions.create(scope, {
      name: input.name,
      url: input.url,
      eventTypes: input.eventTypes ?? [],
      secretSealed: this.box.seal(secret),
    });
    this.events.invalidateSubscriptions();
    return { ...toDto(row), secret };
  }

  async list(scope: AccessScope): Promise<EventSubscriptionDto[]> {
    return (await this.subscriptions.list(scope)).map(toDto);
  }

  async get(id: string, scope: AccessScope): Promise<EventSubscriptionDto> {
    return toDto(await this.row(id, scope));
  }

  /**
   * Changing where events go or which ones go makes the subscription act for its editor, so that no
   * one receives events beyond their own scope through a colleague's subscription. Switching it on or
   * off leaves it acting for whom it acts for.
   */
  async update(id: string, input: UpdateEventSubscriptionDto, scope: CallerScope): Promise<EventSubscriptionDto> {
    await this.row(id, scope);
    await this.outbound.check(input.url, 'url');
    const redirected = input.url !== undefined || input.eventTypes !== undefined;
    const row = await this.subscriptions.update(scope, id, {
      url: input.url,
      eventTypes: input.eventTypes,
      enabled: input.enabled,
      ...(redirected ? { actsFor: scope } : {}),
    });
    this.events.invalidateSubscriptions();
    return toDto(row);
  }

  /**
   * A new signing secret, shown once; deliveries are signed with it from now on. A subscriber that
   * refuses them until it has the new secret loses nothing: a refused delivery is retried with backoff.
   * Whoever holds the new secret is whom the subscription acts for from now on.
   */
  async rotateSecret(id: string, scope: CallerScope): Promise<CreatedEventSubscriptionDto> {
    await this.row(id, scope);
    const secret = randomBytes(32).toString('base64url');
    const row = await this.subscriptions.update(scope, id, { secretSealed: this.box.seal(secret), actsFor: scope });
    this.events.invalidateSubscriptions();
    return { ...toDto(row), secret };
  }

  async remove(id: string, scope: AccessScope): Promise<void> {
    await this.row(id, scope);
    await this.subscriptions.delete(scope, id);
    this.events.invalidateSubscriptions();
  }

  async deliveries(id: string, query: EventDeliveryQueryDto, scope: AccessScope): Promise<Paged<EventDeliveryDto>> {
    await this.row(id, scope);
    const { rows, total } = await this.eventDeliveries.list(scope, id, query.status, {
      skip: query.skip,
      take: query.pageSize,
    });
    return paged(rows.map(toDeliveryDto), total, query);
  }

  /** Sends a delivery again (failed or not), as a new job with a full set of attempts. */
  async redeliver(id: string, deliveryId: string, scope: AccessScope): Promise<EventDeliveryDto> {
    await this.row(id, scope);
    const delivery = await this.eventDeliveries.find(scope, id, deliveryId);
    if (!delivery) throw new NotFoundError('Delivery', deliveryId);
    const updated = await this.eventDeliveries.markPending(scope, deliveryId);
    await this.producer.enqueue(
      'events.deliver',
      { deliveryId },
      { jobId: jobIdOf('events.deliver', deliveryId, `redeliver-${delivery.attempts}`) },
    );
    return toDeliveryDto(updated);
  }

  /** A subscription the scope reaches; one outside it is not found, so that its existence does not leak. */
  private async row(id: string, scope: AccessScope): Promise<EventSubscription> {
    const row = await this.subscriptions.find(scope, id);
    if (!row) throw new NotFoundError('Event subscription', id);
    return row;
  }
}

function toDto(row: EventSubscription): EventSubscriptionDto {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toDeliveryDto(row: EventDelivery): EventDeliveryDto {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt,
    createdAt: row.createdAt,
    payload: row.payload as Record<string, unknown>,
  };
}
