import { Type } from 'class-transformer';
import {
  IsDefined,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateTaskDto } from '@fleetgate/fleet';
import { PageQueryDto } from '@fleetgate/platform';
import { ROUTING_POLICIES, type RoutingPolicy } from './executor-router';
import { SCHEDULE_KINDS, WEEKDAY_NAMES, type ScheduleKind } from './schedule-plan';

export const JOB_RUNNERS = ['fleetgate', 'vendor'] as const;

export class CreateScheduledJobDto {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  groupName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @IsIn(SCHEDULE_KINDS)
  scheduleKind!: ScheduleKind;

  /** For `cron`: 5 fields, or 6 with seconds first. @example 0 *\/5 * * * * */
  @IsOptional()
  @IsString()
  cron?: string;

  /** IANA time zone of the cron or weekly time. */
  @IsOptional()
  @IsString()
  timeZone?: string;

  /** For `once`. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  runAt?: Date;

  /** For `weekly`. */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(WEEKDAY_NAMES, { each: true })
  weekdays?: string[];

  /** For `weekly`: HH:MM in the time zone. */
  @IsOptional()
  @IsString()
  timeOfDay?: string;

  /** The task each fire creates, as POST /tasks takes it. */
  @IsDefined()
  @ValidateNested()
  @Type(() => CreateTaskDto)
  action!: CreateTaskDto;

  /** Further attempts of a failed run, 0 to 60. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60)
  retryCount?: number;

  /** A retry sends the whole task again (`all`) or only its failed targets (`failed`). */
  @IsOptional()
  @IsIn(['all', 'failed'])
  retryScope?: 'all' | 'failed';

  /** A fire that comes late (every worker was down): run it once, or skip it. */
  @IsOptional()
  @IsIn(['fire_once', 'skip'])
  misfirePolicy?: 'fire_once' | 'skip';

  /** When the previous run still runs: wait for it, drop the new run, or cancel the old one. */
  @IsOptional()
  @IsIn(['serial', 'discard', 'replace'])
  overlapPolicy?: 'serial' | 'discard' | 'replace';

  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(7 * 86_400)
  runTimeoutSeconds?: number;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** The executor group (EXECUTOR_GROUP of the workers) whose executors run this job's fires. Default `default`. */
  @IsOptional()
  @IsString()
  @Matches(/^[\w.-]{1,64}$/, { message: 'may hold letters, digits, _ . and - only (1 to 64)' })
  executorGroup?: string;

  /**
   * Which online executor of the group runs a fire: `first` (the first by id), `failover` (the first,
   * the next one taking over when it stops beating), `round_robin` (each in turn, one per fire) or
   * `broadcast` (every one, each with its shard of the targets). Default `first`.
   */
  @IsOptional()
  @IsIn(ROUTING_POLICIES)
  routing?: RoutingPolicy;

  /**
   * `fleetgate` (default): Fleetgate fires each tick. `vendor`: the vendor keeps the schedule itself
   * (Gizwits schedulers: once or weekly, UTC, `control.datapoints` on named devices of one account),
   * mirrored both ways. Fixed at creation.
   */
  @IsOptional()
  @IsIn(JOB_RUNNERS)
  runner?: (typeof JOB_RUNNERS)[number];
}

export class UpdateScheduledJobDto extends PartialType(OmitType(CreateScheduledJobDto, ['name', 'runner'] as const)) {}

/** What a pull of vendor-kept schedules found, per account. */
export class VendorPullOutcomeDto {
  accountId!: string;
  imported!: number;
  stopped!: number;
  runs!: number;
  skipped!: number;
  error?: string;
}

export class CopyScheduledJobDto {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;
}

export class ScheduledJobDto {
  id!: string;
  name!: string;
  groupName!: string;
  description!: string;
  scheduleKind!: string;
  cron?: string | null;
  timeZone!: string;
  runAt?: Date | null;
  weekdays!: string[];
  timeOfDay?: string | null;
  action!: Record<string, unknown>;
  retryCount!: number;
  retryScope!: string;
  misfirePolicy!: string;
  overlapPolicy!: string;
  runTimeoutSeconds!: number;
  enabled!: boolean;
  executorGroup!: string;
  /** first, round_robin, failover or broadcast */
  routing!: string;
  runner!: string;
  /** For vendor-kept schedules: the account keeping it and its id there (null while stopped). */
  vendorAccountId!: string | null;
  vendorScheduleId!: string | null;
  /** The next fire, when enabled. */
  nextFireAt?: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class ScheduledJobQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  groupName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  text?: string;
}

export class NextFireTimesQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  count?: number;
}

export class JobRunDto {
  id!: string;
  jobId!: string;
  scheduledFor!: Date;
  attempt!: number;
  trigger!: string;
  /** The executor that runs (ran) it; none when the fire found no online executor. */
  executor?: string | null;
  /** This run's shard of a broadcast fire (0 of 1 otherwise). */
  shardIndex!: number;
  shardTotal!: number;
  status!: string;
  taskId?: string | null;
  error?: string | null;
  triggeredAt!: Date;
  finishedAt?: Date | null;
  durationMs?: number | null;
}

export class JobRunQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  jobId?: string;

  @IsOptional()
  @IsIn(['running', 'succeeded', 'partially_failed', 'failed', 'timed_out', 'cancelled', 'skipped'])
  status?: string;

  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;
}

/** Deletes dispatch logs older than N days, or all but the last N per job. */
export class CleanJobRunsDto {
  /** Days; at most 3650 (ten years), as for the operation log. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  olderThanDays?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  keepLast?: number;
}

export class CleanedDto {
  deleted!: number;
}

export class DayReportDto {
  /** YYYY-MM-DD, UTC. */
  day!: string;
  runs!: number;
  succeeded!: number;
  failed!: number;
}

export class ScheduleStatsDto {
  jobs!: number;
  enabled!: number;
  /** Runs by status. */
  runs!: Record<string, number>;
  /** Per day: runs, successes, failures. */
  days!: DayReportDto[];
}

export class JobGroupDto {
  groupName!: string;
  jobs!: number;
}

export class RunQueuedDto {
  /** The tick of the run, now. */
  scheduledFor!: string;
}

export class ExecutorDto {
  id!: string;
  groupName!: string;
  hostname!: string;
  pid!: number;
  /** online while its heartbeats arrive; offline after 30 s without one. */
  status!: 'online' | 'offline';
  startedAt!: Date;
  lastHeartbeatAt!: Date;
  /** Runs it fired that are still running. */
  runningJobs!: number;
}
