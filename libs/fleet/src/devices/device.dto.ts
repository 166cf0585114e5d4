import { OmitType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { DEVICE_STATUSES, VENDOR_NAMES, type DeviceStatus, type VendorName } from '@fleetgate/domain';
import { PageQueryDto } from '@fleetgate/platform';

/** Lists devices; every filter narrows the set. */
export class DeviceQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(VENDOR_NAMES)
  vendor?: VendorName;

  @IsOptional()
  @IsUUID()
  accountId?: string;

  @IsOptional()
  @IsIn(DEVICE_STATUSES)
  status?: DeviceStatus;

  @IsOptional()
  @IsUUID()
  groupId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  tag?: string;

  /** A part of the name or of the vendor's reference, case-insensitively; `%` and `_` match themselves. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;
}

/** Which devices: every field narrows the set; all are optional. */
export class DeviceFilterDto extends OmitType(DeviceQueryDto, ['page', 'pageSize'] as const) {}

export class DeviceDto {
  id!: string;
  vendor!: string;
  accountId!: string;
  /** The vendor's own id: padCode, did, device number or serial. */
  vendorRef!: string;
  name!: string;
  status!: string;
  model?: string | null;
  attributes!: Record<string, unknown>;
  tags!: string[];
  groupId?: string | null;
  departmentId?: string | null;
  ownerId?: string | null;
  lastSeenAt?: Date | null;
  syncedAt?: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

const TAG = /^[\w.:-]{1,64}$/;

export class UpdateDeviceDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  /** Replaces the device's tags. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each tag must be 1-64 letters, digits, _ . : or -' })
  tags?: string[];

  /** The device's group; null takes it out of its group. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  groupId?: string | null;

  /** The department that owns the device (data scopes); null clears it. */
  @IsOptional()
  @IsUUID()
  departmentId?: string | null;

  /** The user the device is assigned to (the `own` data scope); null clears it. */
  @IsOptional()
  @IsUUID()
  ownerId?: string | null;
}

/** For vendors without an inventory API (TikMatrix): a device Fleetgate should know by its reference. */
export class RegisterDeviceDto {
  @IsUUID()
  accountId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  vendorRef!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each tag must be 1-64 letters, digits, _ . : or -' })
  tags?: string[];
}

export class DeviceGroupDto {
  id!: string;
  name!: string;
  description!: string;
  /** Devices in the group. */
  deviceCount!: number;
  createdAt!: Date;
  updatedAt!: Date;
}

export class CreateDeviceGroupDto {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateDeviceGroupDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class DeviceSyncRequestDto {
  /** One account; all enabled accounts when absent. */
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class DeviceSyncAcceptedDto {
  /** The accounts whose sync was enqueued. */
  accountIds!: string[];
}

export class DeviceSyncResultDto {
  accountId!: string;
  /** Devices the vendor reported. */
  seen!: number;
  created!: number;
  /** Known devices the vendor no longer reports, now `unknown`. */
  missing!: number;
}

export class GroupMembershipDto {
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  deviceIds!: string[];
}

/**
 * DeviceDto as JSON Schema, for Fastify to serialise the answers of GET /devices/{id} and GET /devices
 * with a compiled serialiser (fast-json-stringify) rather than JSON.stringify: the device list's
 * largest cost after the query (`npm run bench:hotpath`, (d)). Fastify writes only the properties named
 * here, so every DeviceDto field must be one (device.dto.spec.ts holds them to toDeviceDto's keys).
 */
const nullable = (type: string, format?: string) => ({ type: [type, 'null'], ...(format ? { format } : {}) });
export const DEVICE_JSON_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    vendor: { type: 'string' },
    accountId: { type: 'string' },
    vendorRef: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string' },
    model: nullable('string'),
    // Any JSON, written by JSON.stringify: the column is jsonb, and a schema saying `object` would
    // rewrite an array or a string stored there as an object of its indexes.
    attributes: {},
    tags: { type: 'array', items: { type: 'string' } },
    groupId: nullable('string'),
    departmentId: nullable('string'),
    ownerId: nullable('string'),
    lastSeenAt: nullable('string', 'date-time'),
    syncedAt: nullable('string', 'date-time'),
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** A page of devices (Paged<DeviceDto>) as JSON Schema, as DEVICE_JSON_SCHEMA is for one. */
export const DEVICE_PAGE_JSON_SCHEMA = {
  type: 'object',
  properties: {
    items: { type: 'array', items: DEVICE_JSON_SCHEMA },
    total: { type: 'integer' },
    page: { type: 'integer' },
    pageSize: { type: 'integer' },
  },
} as const;
