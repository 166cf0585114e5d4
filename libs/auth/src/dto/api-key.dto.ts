import { Type } from 'class-transformer';
import { ArrayUnique, IsArray, IsDate, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ALL_PERMISSIONS } from '../permissions';

export class CreateApiKeyDto {
  /** What the key is for. @example ci-deployer */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** Permissions the key holds; at most those of the user who creates it. */
  @IsArray()
  @ArrayUnique()
  @IsIn(ALL_PERMISSIONS, { each: true })
  permissions!: string[];

  /**
   * When the key stops working: in the future, at most API_KEY_MAX_TTL_DAYS (365 by default) ahead.
   * Absent: API_KEY_DEFAULT_TTL_DAYS (90 by default) from now. @example 2027-01-31T00:00:00Z
   */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;
}

export class ApiKeyDto {
  id!: string;
  name!: string;
  /** The non-secret start of the key, to recognise it. */
  prefix!: string;
  permissions!: string[];
  createdAt!: Date;
  lastUsedAt?: Date | null;
  revokedAt?: Date | null;
  /** The key is refused from then on. */
  expiresAt!: Date;
}

export class RevokedApiKeysDto {
  /** How many live keys were revoked. */
  revoked!: number;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  /** The key itself, for the `X-API-Key` header. Shown this once; only its hash is kept. */
  key!: string;
}
