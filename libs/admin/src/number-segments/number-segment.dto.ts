import { IsOmittable } from '@fleetgate/platform';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '@fleetgate/platform';

export class CreateNumberSegmentDto {
  /** The business tag numbers are taken for: lower-case letters, digits, `.`, `_` and `-`. @example order */
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
    message: 'bizTag must start with a lower-case letter or digit and hold only a-z, 0-9, . _ and - (at most 64)',
  })
  bizTag!: string;

  /** The last number already handed out; the next is maxId + 1. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  maxId?: number;

  /** How many numbers an instance takes at a time: larger means fewer database trips, bigger gaps on restart. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  step!: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateNumberSegmentDto {
  /** May only grow: a lower max id would hand out numbers a second time. */
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  maxId?: number;

  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(100_000)
  step?: number;

  @IsOmittable()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class NumberSegmentDto {
  bizTag!: string;
  /** The last number taken by any instance, as a decimal string (it may pass 2^53). */
  maxId!: string;
  step!: number;
  description!: string;
  createdAt!: Date;
  updatedAt!: Date;
}

export class NumberSegmentQueryDto extends PageQueryDto {
  /** Part of the business tag. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  bizTag?: string;
}
