import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '@fleetgate/platform';

export const OPERATION_OUTCOMES = ['succeeded', 'failed'] as const;
export const LOGIN_OUTCOMES = ['succeeded', 'failed', 'locked'] as const;

/** One changing request through the gateway. Bodies are never stored: they may hold secrets. */
export class OperationLogDto {
  id!: string;
  /** The caller, when it was signed in or sent an API key. */
  userId!: string | null;
  /** The caller's e-mail. */
  actor!: string | null;
  method!: string;
  /** The route template. @example /tasks/:id/cancel */
  route!: string;
  /** The path as called, without its query string. */
  path!: string;
  /** The resource acted on: the route's id parameter, or the id of what was created. */
  targetId!: string | null;
  statusCode!: number;
  /** succeeded (below 400) or failed. */
  outcome!: string;
  /** The error envelope's code, when it failed. */
  errorCode!: string | null;
  durationMs!: number;
  ip!: string | null;
  requestId!: string | null;
  createdAt!: Date;
}

/** A page of log rows between two times. */
export class LogPeriodQueryDto extends PageQueryDto {
  /** From this time on, included. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  /** Before this time. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}

export class OperationLogQueryDto extends LogPeriodQueryDto {
  @IsOptional()
  @IsUUID()
  userId?: string;

  /** Part of the caller's e-mail. */
  @IsOptional()
  @IsString()
  @MaxLength(320)
  actor?: string;

  @IsOptional()
  @IsIn(['POST', 'PUT', 'PATCH', 'DELETE'])
  method?: string;

  /** Part of the route template. @example /tasks/:id */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  route?: string;

  /** Part of the path as called. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  path?: string;

  @IsOptional()
  @IsIn(OPERATION_OUTCOMES)
  outcome?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(599)
  statusCode?: number;
}

/** Deletes logs older than N days. */
export class CleanLogsDto {
  @IsInt()
  @Min(0)
  @Max(3650)
  olderThanDays!: number;
}

export class CleanedLogsDto {
  deleted!: number;
}

/** One sign-in attempt. The password is never stored. */
export class LoginLogDto {
  id!: string;
  email!: string;
  /** The user, when the e-mail belongs to one. */
  userId!: string | null;
  /** succeeded, failed or locked. */
  outcome!: string;
  /** Why it failed: unknown_user, bad_password or disabled. */
  reason!: string | null;
  ip!: string | null;
  userAgent!: string | null;
  createdAt!: Date;
}

export class LoginLogQueryDto extends LogPeriodQueryDto {
  /** Part of the e-mail. */
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @IsOptional()
  @IsIn(LOGIN_OUTCOMES)
  outcome?: string;
}
