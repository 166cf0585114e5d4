import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
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
} from 'class-validator';
import { PartialType } from '@nestjs/swagger';
import { ALL_PERMISSIONS, DATA_SCOPE_KINDS, type DataScopeKind } from '@fleetgate/auth';
import { PageQueryDto } from '@fleetgate/platform';

export class CreateRoleDto {
  /** A stable code, e.g. `operator`. */
  @Matches(/^[a-z0-9][a-z0-9_.-]{0,63}$/, { message: 'must be 1-64 lower-case letters, digits, _ . or -' })
  code!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  /** Which devices and tasks holders see: all, department_tree, department or own. Default own. */
  @IsOptional()
  @IsIn(DATA_SCOPE_KINDS)
  dataScope?: DataScopeKind;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateRoleDto extends PartialType(CreateRoleDto) {}

export class RoleQueryDto extends PageQueryDto {
  /** Name or code containing this text. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}

export class RoleDto {
  id!: string;
  code!: string;
  name!: string;
  description!: string;
  dataScope!: string;
  enabled!: boolean;
  /** Users holding the role. */
  userCount!: number;
  permissions!: string[];
  createdAt!: Date;
  updatedAt!: Date;
}

/** What a role is granted: menus of the frontend and API permissions; replaces the role's grants. */
export class RoleGrantsDto {
  @IsArray()
  @ArrayMaxSize(1_000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  menuIds!: string[];

  @IsArray()
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsIn(ALL_PERMISSIONS, { each: true })
  permissions!: string[];
}

export class MenuNodeDto {
  id!: string;
  parentId!: string | null;
  name!: string;
  kind!: string;
  path!: string | null;
  icon!: string | null;
  sort!: number;
  hidden!: boolean;
  children!: MenuNodeDto[];
}

export class ResourceDto {
  id!: string;
  method!: string;
  path!: string;
  /** The permission the route needs; null when any signed-in caller may use it. */
  permission!: string | null;
  name!: string;
  description!: string;
  /** False once the route is gone from the code. */
  active!: boolean;
}

/** One permission with the routes that need it, as the grant screen lists them. */
export class PermissionNodeDto {
  permission!: string;
  routes!: ResourceDto[];
}

/** A role's grants as trees, with the ids and permissions it holds ticked. */
export class RoleGrantTreeDto {
  menus!: MenuNodeDto[];
  permissions!: PermissionNodeDto[];
  menuIds!: string[];
  grantedPermissions!: string[];
}

export const MENU_KINDS = ['directory', 'page', 'button'] as const;

export class CreateMenuDto {
  @IsOptional()
  @IsUUID()
  parentId?: string | null;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** directory, page or button. Default page. */
  @IsOptional()
  @IsIn(MENU_KINDS)
  kind?: (typeof MENU_KINDS)[number];

  /** The frontend route, e.g. `/devices`. */
  @IsOptional()
  @Matches(/^\/[\w\-/:.]{0,200}$/, { message: 'must be a path starting with /' })
  path?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  icon?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  sort?: number;

  @IsOptional()
  @IsBoolean()
  hidden?: boolean;
}

export class UpdateMenuDto extends PartialType(CreateMenuDto) {}

export class ResourceQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ALL_PERMISSIONS)
  permission?: string;

  /** Path or name containing this text. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;

  @IsOptional()
  @IsIn(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
  method?: string;
}

/** Resources come from the code; their labels are for people to edit. */
export class UpdateResourceDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1_000)
  description?: string;
}
