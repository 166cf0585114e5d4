import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '@fleetgate/platform';

export const ARTIFACT_KINDS = ['app', 'file'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** An app or file known by its URL (the gateway stores nothing). */
export class RegisterArtifactDto {
  @IsIn(ARTIFACT_KINDS)
  kind!: ArtifactKind;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url!: string;

  @IsOptional()
  @Matches(/^[0-9a-f]{32}$/i, { message: 'must be 32 hexadecimal digits' })
  md5?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  size?: number;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.]+$/, { message: 'must be an Android package name' })
  packageName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  versionName?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  versionCode?: number;
}

export class ArtifactDto {
  id!: string;
  kind!: string;
  name!: string;
  fileName!: string;
  /** Stored by the gateway (uploaded) rather than registered by URL. */
  stored!: boolean;
  sourceUrl?: string | null;
  md5?: string | null;
  size?: number | null;
  packageName?: string | null;
  versionName?: string | null;
  versionCode?: number | null;
  createdAt!: Date;
}

export class ArtifactQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ARTIFACT_KINDS)
  kind?: ArtifactKind;

  /** Part of the name or package name. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;
}
