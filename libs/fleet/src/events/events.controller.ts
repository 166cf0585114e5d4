import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  type MessageEvent,
  Param,
  Patch,
  Post,
  Query,
  Sse,
} from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { map, type Observable } from 'rxjs';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
import {
  CreatedEventSubscriptionDto,
  CreateEventSubscriptionDto,
  EventDeliveryDto,
  EventDeliveryQueryDto,
  EventSubscriptionDto,
  UpdateEventSubscriptionDto,
} from './event-subscription.dto';
import { EventSubscriptionService } from './event-subscription.service';
import type { CallerScope } from '../scope/access-scope';
import { CurrentAccessScope } from '../scope/caller-scope.decorator';
import { FleetEvents } from './fleet-events';

@ApiTags('events')
@Controller()
export class EventsController {
  constructor(
    private readonly subscriptions: EventSubscriptionService,
    private readonly events: FleetEvents,
  ) {}

  /**
   * Live events as Server-Sent Events (`event: <type>`, `id: <event id>`, `data: <event JSON>`), for
   * live screens. Webhook subscriptions are the durable way to receive them.
   */
  @Sse('events/stream')
  @Authenticated({ permission: Permission.EventsRead })
  @ApiProduces('text/event-stream')
  stream(@CurrentAccessScope() scope: CallerScope): Observable<MessageEvent> {
    return this.events.stream(scope).pipe(map((event) => ({ id: event.id, type: event.type, data: event })));
  }

  @Post('event-subscriptions')
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(400, 409)
  create(
    @Body() body: CreateEventSubscriptionDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<CreatedEventSubscriptionDto> {
    return this.subscriptions.create(body, scope);
  }

  @Get('event-subscriptions')
  @Authenticated({ permission: Permission.EventsRead })
  list(@CurrentAccessScope() scope: CallerScope): Promise<EventSubscriptionDto[]> {
    return this.subscriptions.list(scope);
  }

  @Get('event-subscriptions/:id')
  @Authenticated({ permission: Permission.EventsRead })
  @ApiErrorResponses(404)
  get(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<EventSubscriptionDto> {
    return this.subscriptions.get(id, scope);
  }

  @Patch('event-subscriptions/:id')
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(400, 404)
  update(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: UpdateEventSubscriptionDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<EventSubscriptionDto> {
    return this.subscriptions.update(id, body, scope);
  }

  @Delete('event-subscriptions/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(404)
  async remove(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<void> {
    await this.subscriptions.remove(id, scope);
  }

  /** The delivery log of a subscription, newest first. */
  @Get('event-subscriptions/:id/deliveries')
  @Authenticated({ permission: Permission.EventsRead })
  @ApiOkResponse({ type: PagedDto(EventDeliveryDto) })
  @ApiErrorResponses(400, 404)
  deliveries(
    @Param('id', new UuidParamPipe()) id: string,
    @Query() query: EventDeliveryQueryDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<Paged<EventDeliveryDto>> {
    return this.subscriptions.deliveries(id, query, scope);
  }

  /** A new signing secret for the subscription, shown once (docs/operations.md, "Rotating keys"). */
  @Post('event-subscriptions/:id/secret')
  @HttpCode(200)
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(404)
  rotateSecret(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<CreatedEventSubscriptionDto> {
    return this.subscriptions.rotateSecret(id, scope);
  }

  @Post('event-subscriptions/:id/deliveries/:deliveryId/redeliver')
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(404)
  redeliver(
    @Param('id', new UuidParamPipe()) id: string,
    @Param('deliveryId', new UuidParamPipe()) deliveryId: string,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<EventDeliveryDto> {
    return this.subscriptions.redeliver(id, deliveryId, scope);
  }
}
