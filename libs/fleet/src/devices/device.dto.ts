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

  /** Matches the name or the vendor's reference, case-insensitively. */
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
