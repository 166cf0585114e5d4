import { ArrayUnique, IsArray, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
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
}

export class CreatedApiKeyDto extends ApiKeyDto {
  /** The key itself, for the `X-API-Key` header. Shown this once; only its hash is kept. */
  key!: string;
}
