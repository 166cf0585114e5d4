import { Type } from 'class-transformer';
import {
  IsDefined,
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { OPERATION_TYPES, TASK_STATUSES, type OperationType, type TaskStatus } from '@fleetgate/domain';
import { PageQueryDto } from '@fleetgate/platform';
import { DeviceFilterDto } from '../devices/device.dto';

export class OperationDto {
  @IsIn(OPERATION_TYPES)
  type!: OperationType;

  /** Parameters of the operation type (see the operation table in the README). */
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;
}

/** Exactly one way of choosing the devices. */
export class TaskTargetsDto {
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100_000)
  @IsUUID('all', { each: true })
  deviceIds?: string[];

  @IsOptional()
  @IsUUID()
  groupId?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => DeviceFilterDto)
  filter?: DeviceFilterDto;

  /** Every device of this vendor account. */
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class RolloutDto {
  /** Pace of dispatch: at most this many targets per minute. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  targetsPerMinute?: number;

  /** Stop dispatching when this percentage of finished targets failed... */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  abortFailurePercent?: number;

  /** ...once at least this many targets have finished. */
  @IsOptional()
  @IsInt()
  @Min(1)
  abortMinTargets?: number;
}

export class CreateTaskDto {
  @IsDefined()
  @ValidateNested()
  @Type(() => OperationDto)
  operation!: OperationDto;

  @IsDefined()
  @ValidateNested()
  @Type(() => TaskTargetsDto)
  targets!: TaskTargetsDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => RolloutDto)
  rollout?: RolloutDto;

  /** A target still running this long after its dispatch is settled as timed_out. Default 900. */
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(7 * 86_400)
  targetTimeoutSeconds?: number;

  /** A device found offline is tried again for this long before the target fails. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 86_400)
  offlineTtlSeconds?: number;
}

export class TaskCountsDto {
  pending!: number;
  running!: number;
  succeeded!: number;
  failed!: number;
  cancelled!: number;
  timed_out!: number;
  total!: number;
}

export class TaskDto {
  id!: string;
  /** Readable number from the "task" number segment: unique, increasing within one gateway instance. */
  number!: string;
  operation!: OperationDto;
  /** The target selection as given. */
  targets!: Record<string, unknown>;
  status!: TaskStatus;
  /**
   * True while the worker is still writing the task's targets: a task of more than
   * TASK_INLINE_TARGETS devices is answered before they are. Its counts then show the devices it
   * selected as pending, and its target list is empty.
   */
  preparing!: boolean;
  counts!: TaskCountsDto;
  rollout?: RolloutDto;
  targetTimeoutSeconds!: number;
  offlineTtlSeconds?: number | null;
  abortedAt?: Date | null;
  cancelledAt?: Date | null;
  createdAt!: Date;
  finishedAt?: Date | null;
}

export class TaskTargetErrorDto {
  /** The vendor's own code (or Fleetgate's, such as `deadline`). */
  code!: string;
  message!: string;
}

export class TaskTargetDto {
  id!: string;
  /** Null when the target is a vendor-side account rather than a device (TikMatrix `usernames`). */
  deviceId!: string | null;
  vendor!: string;
  accountId!: string;
  vendorRef!: string;
  /** pending, dispatching, running or a final status. */
  status!: string;
  vendorTaskId?: string | null;
  /** Every vendor task of this target when the vendor made several (TikMatrix: one per account on a device). */
  vendorTaskIds!: string[];
  vendorStatus?: string | null;
  result?: unknown;
  error?: TaskTargetErrorDto | null;
  attempts!: number;
  waitUntil?: Date | null;
  dispatchedAt?: Date | null;
  finishedAt?: Date | null;
}

export class TaskDetailDto extends TaskDto {
  /** The first 1,000 targets; GET /tasks/{id}/targets pages through all. */
  targetRows!: TaskTargetDto[];
}

export class TaskQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @IsOptional()
  @IsIn(OPERATION_TYPES)
  type?: OperationType;

  /** Tasks with at least one target on this device. */
  @IsOptional()
  @IsUUID()
  deviceId?: string;
}

export class TaskTargetQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn([...TASK_STATUSES, 'dispatching'])
  status?: string;
}

export class TaskStatsDto {
  /** Tasks by status. */
  tasks!: Record<string, number>;
  /** Targets of all tasks by status. */
  targets!: Record<string, number>;
}
