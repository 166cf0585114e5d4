import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PartialType } from '@nestjs/swagger';
import { PageQueryDto } from '@fleetgate/platform';

export class CreateDepartmentDto {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** The department above this one; none for a top-level department. */
  @IsOptional()
  @IsUUID()
  parentId?: string | null;

  /** The user who manages the department. */
  @IsOptional()
  @IsUUID()
  managerId?: string | null;

  /** Order among siblings, smallest first. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  sort?: number;
}

export class UpdateDepartmentDto extends PartialType(CreateDepartmentDto) {}

export class DepartmentDto {
  id!: string;
  name!: string;
  parentId!: string | null;
  managerId!: string | null;
  managerName!: string | null;
  sort!: number;
  /** Users directly in this department. */
  memberCount!: number;
  createdAt!: Date;
}

/** A department with the departments below it, as the organisation view shows them. */
export class DepartmentNodeDto extends DepartmentDto {
  children!: DepartmentNodeDto[];
}

const POST_CODE = /^[A-Za-z0-9][\w.-]{0,63}$/;

export class CreatePostDto {
  /** A stable code, e.g. `ops-lead`. */
  @Matches(POST_CODE, { message: 'must be 1-64 letters, digits, _ . or -, starting with a letter or digit' })
  code!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  sort?: number;
}

export class UpdatePostDto extends PartialType(CreatePostDto) {}

export class PostDto {
  id!: string;
  code!: string;
  name!: string;
  sort!: number;
  /** Users holding the post. */
  userCount!: number;
  createdAt!: Date;
}

export class CreateGradeDto {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** Higher is more senior. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000)
  level?: number;
}

export class UpdateGradeDto extends PartialType(CreateGradeDto) {}

export class GradeDto {
  id!: string;
  name!: string;
  level!: number;
  /** Users at this grade. */
  userCount!: number;
  createdAt!: Date;
}

/** `?name=` filters posts and grades by name (and posts by code) containing the text. */
export class NamedQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}
