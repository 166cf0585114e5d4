import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '@fleetgate/platform';
import { FLEET_EVENT_TYPES, type FleetEventType } from './fleet-events';

export class CreateEventSubscriptionDto {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** Where events are posted. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url!: string;

  /** The event types to deliver; all when empty or absent. */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(FLEET_EVENT_TYPES, { each: true })
  eventTypes?: FleetEventType[];
}

export class UpdateEventSubscriptionDto {
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url?: string;

  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(FLEET_EVENT_TYPES, { each: true })
  eventTypes?: FleetEventType[];

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class EventSubscriptionDto {
  id!: string;
  name!: string;
  url!: string;
  eventTypes!: string[];
  enabled!: boolean;
  createdAt!: Date;
  updatedAt!: Date;
}

export class CreatedEventSubscriptionDto extends EventSubscriptionDto {
  /** The HMAC key of `X-Fleetgate-Signature`. Shown this once; store it now. */
  secret!: string;
}

export class EventDeliveryDto {
  id!: string;
  eventId!: string;
  eventType!: string;
  /** pending, delivered or failed. */
  status!: string;
  attempts!: number;
  lastStatusCode?: number | null;
  lastError?: string | null;
  deliveredAt?: Date | null;
  createdAt!: Date;
  payload!: Record<string, unknown>;
}

export class EventDeliveryQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'])
  status?: string;
}
