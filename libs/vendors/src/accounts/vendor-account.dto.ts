import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { OmitType, PartialType } from '@nestjs/swagger';
import { VENDOR_NAMES, type VendorName } from '@fleetgate/domain';
import { PageQueryDto } from '@fleetgate/platform';

export class CreateVendorAccountDto {
  @IsIn(VENDOR_NAMES)
  vendor!: VendorName;

  /** Unique per vendor. @example armcloud-eu-1 */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** The vendor API's base URL. @example http://127.0.0.1:4101 */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  baseUrl!: string;

  /** The vendor's credential fields (GET /vendor-accounts/vendors lists them). Write-only. */
  @IsObject()
  credentials!: Record<string, string>;

  /** Requests per second to this account, across every Fleetgate process. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  rateLimitPerSecond?: number;

  /** Per-request timeout in milliseconds. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  timeoutMs?: number;
}

/** Any field of an account but its vendor; `credentials` replaces the fields given and keeps the rest. */
export class UpdateVendorAccountDto extends PartialType(OmitType(CreateVendorAccountDto, ['vendor'] as const)) {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class VendorAccountDto {
  id!: string;
  vendor!: string;
  name!: string;
  baseUrl!: string;
  /** Non-secret credential fields; secret ones are never returned. */
  publicCredentials!: Record<string, string>;
  /** Names of the credential fields that are set (values withheld). */
  credentialFieldsSet!: string[];
  rateLimitPerSecond!: number;
  timeoutMs!: number;
  enabled!: boolean;
  /** Where this vendor should post its callbacks for this account. */
  webhookPath!: string;
  createdAt!: Date;
  updatedAt!: Date;
}

export class ConnectionTestDto {
  ok!: boolean;
  /** The normalized error, when the vendor refused or failed. */
  error?: { kind: string; vendorCode: string; vendorMessage: string };
}

export class VendorCredentialFieldDto {
  name!: string;
  secret!: boolean;
  description!: string;
}

export class VendorDescriptionDto {
  vendor!: string;
  displayName!: string;
  credentialFields!: VendorCredentialFieldDto[];
  capabilities!: string[];
  defaultRateLimitPerSecond!: number;
}

export class CreatedVendorAccountDto extends VendorAccountDto {
  /** Secret that this account's webhook callers present (`X-Fleetgate-Webhook-Secret`). Shown once. */
  webhookSecret!: string;
}

export class RotateWebhookSecretDto {
  /**
   * Hours the replaced secret is still accepted, while the vendor's callback settings are changed to
   * the new one (default 24; 0 ends it at once).
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(168)
  graceHours?: number;
}

export class RotatedWebhookSecretDto {
  /** The account's new webhook secret. Shown once. */
  webhookSecret!: string;
  /** Until when the replaced secret is still accepted; absent when it was ended at once. */
  previousValidUntil?: Date;
}

export class VendorAccountQueryDto extends PageQueryDto {
  /** Only this vendor's accounts. */
  @IsOptional()
  @IsIn(VENDOR_NAMES)
  vendor?: VendorName;
}
