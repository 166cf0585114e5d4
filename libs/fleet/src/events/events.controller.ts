import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  type MessageEvent,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Sse,
} from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { map, type Observable } from 'rxjs';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged } from '@fleetgate/platform';
import {
  CreatedEventSubscriptionDto,
  CreateEventSubscriptionDto,
  EventDeliveryDto,
  EventDeliveryQueryDto,
  EventSubscriptionDto,
  UpdateEventSubscriptionDto,
} from './event-subscription.dto';
import { EventSubscriptionService } from './event-subscription.service';
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
  stream(): Observable<MessageEvent> {
    return this.events.stream().pipe(map((event) => ({ id: event.id, type: event.type, data: event })));
  }

  @Post('event-subscriptions')
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(400, 409)
  create(@Body() body: CreateEventSubscriptionDto): Promise<CreatedEventSubscriptionDto> {
    return this.subscriptions.create(body);
  }

  @Get('event-subscriptions')
  @Authenticated({ permission: Permission.EventsRead })
  list(): Promise<EventSubscriptionDto[]> {
    return this.subscriptions.list();
  }

  @Get('event-subscriptions/:id')
  @Authenticated({ permission: Permission.EventsRead })
  @ApiErrorResponses(404)
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<EventSubscriptionDto> {
    return this.subscriptions.get(id);
  }

  @Patch('event-subscriptions/:id')
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(400, 404)
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateEventSubscriptionDto,
  ): Promise<EventSubscriptionDto> {
    return this.subscriptions.update(id, body);
  }

  @Delete('event-subscriptions/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(404)
  async remove(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.subscriptions.remove(id);
  }

  /** The delivery log of a subscription, newest first. */
  @Get('event-subscriptions/:id/deliveries')
  @Authenticated({ permission: Permission.EventsRead })
  @ApiOkResponse({ type: PagedDto(EventDeliveryDto) })
  @ApiErrorResponses(400, 404)
  deliveries(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: EventDeliveryQueryDto,
  ): Promise<Paged<EventDeliveryDto>> {
    return this.subscriptions.deliveries(id, query);
  }

  /** A new signing secret for the subscription, shown once (docs/operations.md, "Rotating keys"). */
  @Post('event-subscriptions/:id/secret')
  @HttpCode(200)
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(404)
  rotateSecret(@Param('id', new ParseUUIDPipe()) id: string): Promise<CreatedEventSubscriptionDto> {
    return this.subscriptions.rotateSecret(id);
  }

  @Post('event-subscriptions/:id/deliveries/:deliveryId/redeliver')
  @Authenticated({ permission: Permission.EventsManage })
  @ApiErrorResponses(404)
  redeliver(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('deliveryId', new ParseUUIDPipe()) deliveryId: string,
  ): Promise<EventDeliveryDto> {
    return this.subscriptions.redeliver(id, deliveryId);
  }
}
