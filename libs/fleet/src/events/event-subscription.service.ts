import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import { type EventDelivery, type EventSubscription, PrismaService } from '@fleetgate/persistence';
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
import { deliveriesInScope, subscriptionsInScope } from '../scope/data-scope-where';
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
    private readonly prisma: PrismaService,
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
    const row = await this.prisma.eventSubscription.create({
      data: {
        name: input.name,
        url: input.url,
        eventTypes: input.eventTypes ?? [],
        secretSealed: this.box.seal(secret),
        ...actorColumns(scope),
      },
    });
    this.events.invalidateSubscriptions();
    return { ...toDto(row), secret };
  }

  async list(scope: AccessScope): Promise<EventSubscriptionDto[]> {
    const rows = await this.prisma.eventSubscription.findMany({
      where: subscriptionsInScope(scope),
      orderBy: { name: 'asc' },
    });
    return rows.map(toDto);
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
    const row = await this.prisma.eventSubscription.update({
      where: { id },
      data: {
        url: input.url,
        eventTypes: input.eventTypes,
        enabled: input.enabled,
        ...(redirected ? actorColumns(scope) : {}),
      },
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
    const row = await this.prisma.eventSubscription.update({
      where: { id },
      data: { secretSealed: this.box.seal(secret), ...actorColumns(scope) },
    });
    this.events.invalidateSubscriptions();
    return { ...toDto(row), secret };
  }

  async remove(id: string, scope: AccessScope): Promise<void> {
    await this.row(id, scope);
    await this.prisma.eventSubscription.delete({ where: { id } });
    this.events.invalidateSubscriptions();
  }

  async deliveries(id: string, query: EventDeliveryQueryDto, scope: AccessScope): Promise<Paged<EventDeliveryDto>> {
    await this.row(id, scope);
    const where = {
      AND: [{ subscriptionId: id, ...(query.status ? { status: query.status } : {}) }, deliveriesInScope(scope)],
    };
    const [rows, total] = await Promise.all([
      this.prisma.eventDelivery.findMany({
        where,
        orderBy: { createdAt: 'desc' },
        skip: query.skip,
        take: query.pageSize,
      }),
      this.prisma.eventDelivery.count({ where }),
    ]);
    return paged(rows.map(toDeliveryDto), total, query);
  }

  /** Sends a delivery again (failed or not), as a new job with a full set of attempts. */
  async redeliver(id: string, deliveryId: string, scope: AccessScope): Promise<EventDeliveryDto> {
    await this.row(id, scope);
    const delivery = await this.prisma.eventDelivery.findFirst({
      where: { AND: [{ id: deliveryId, subscriptionId: id }, deliveriesInScope(scope)] },
    });
    if (!delivery) throw new NotFoundError('Delivery', deliveryId);
    const updated = await this.prisma.eventDelivery.update({
      where: { id: deliveryId },
      data: { status: 'pending', deliveredAt: null },
    });
    await this.producer.enqueue(
      'events.deliver',
      { deliveryId },
      { jobId: jobIdOf('events.deliver', deliveryId, `redeliver-${delivery.attempts}`) },
    );
    return toDeliveryDto(updated);
  }

  /** A subscription the scope reaches; one outside it is not found, so that its existence does not leak. */
  private async row(id: string, scope: AccessScope): Promise<EventSubscription> {
    const row = await this.prisma.eventSubscription.findFirst({ where: { id, ...subscriptionsInScope(scope) } });
    if (!row) throw new NotFoundError('Event subscription', id);
    return row;
  }
}

/** The user a subscription acts for (events reach it within their scope), and the department it belongs to. */
function actorColumns(scope: CallerScope) {
  return { createdById: scope.userId, departmentId: scope.departmentId };
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
