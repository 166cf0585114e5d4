import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginRequestDto {
  /** @example admin@fleetgate.local */
  @IsEmail()
  email!: string;

  /** @example fleetgate-admin */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password!: string;
}

export class RefreshRequestDto {
  /** The refresh token from login or the last refresh; each refresh replaces it. */
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  refreshToken!: string;
}

export class TokenPairDto {
  /** Short-lived JWT for `Authorization: Bearer ...`. */
  accessToken!: string;
  /** Seconds until the access token expires. */
  expiresIn!: number;
  /** Opaque token for POST /auth/refresh; shown once, stored only as a hash. */
  refreshToken!: string;
  tokenType!: 'Bearer';
}

export class PrincipalDto {
  kind!: 'user' | 'api-key';
  userId!: string;
  email!: string;
  superAdmin!: boolean;
  permissions!: string[];
}
