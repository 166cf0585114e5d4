import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { OmitType, PartialType } from '@nestjs/swagger';
import { PageQueryDto } from '@fleetgate/platform';

const PHONE = /^\+?[0-9][0-9 -]{4,30}$/;

export class CreateUserDto {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** Checked against the password policy: 10-128 characters, letters and digits, not common, not the e-mail name. */
  @IsString()
  @MaxLength(128)
  password!: string;

  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number (digits, spaces, -, optional leading +)' })
  phone?: string | null;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2_000)
  avatarUrl?: string | null;

  @IsOptional()
  @IsUUID()
  departmentId?: string | null;

  @IsOptional()
  @IsUUID()
  gradeId?: string | null;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  postIds?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  roleIds?: string[];

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** A new password ends every session of the user. */
export class UpdateUserDto extends PartialType(OmitType(CreateUserDto, ['enabled'])) {}

export class UserQueryDto extends PageQueryDto {
  /** Name or e-mail containing this text. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  /** Phone number containing these digits. */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  /** Users holding this role. */
  @IsOptional()
  @IsUUID()
  roleId?: string;

  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  enabled?: boolean;
}

export class UserRoleRefDto {
  id!: string;
  code!: string;
  name!: string;
}

export class UserDto {
  id!: string;
  email!: string;
  name!: string;
  phone!: string | null;
  avatarUrl!: string | null;
  enabled!: boolean;
  superAdmin!: boolean;
  departmentId!: string | null;
  departmentName!: string | null;
  gradeId!: string | null;
  gradeName!: string | null;
  postIds!: string[];
  roles!: UserRoleRefDto[];
  createdAt!: Date;
  updatedAt!: Date;
}

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;

export class ExportUsersDto {
  /** The users to export. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  ids!: string[];

  @IsIn(EXPORT_FORMATS)
  format!: (typeof EXPORT_FORMATS)[number];
}
