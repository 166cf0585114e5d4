import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { UnauthenticatedError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import { Transactions } from '@fleetgate/persistence';

import type { TokenPairDto } from '../dto/auth.dto';
import { PasswordHasher } from '../password-hasher';
import type { Principal } from '../principal';
import { randomToken, sha256 } from '../token-hash';
import { LoginThrottle } from './login-throttle';
import { SignInCache } from './sign-in-cache';
import { VerifiedTokens } from './verified-tokens';
import { type LoginClient, type LoginFailureReason, LoginLogRecorder } from './login-log-recorder';
import { type UserAccess, UserAccessService } from '../access/user-access.service';
import { ApiKeyRepository } from '../api-keys/api-key.repository';
import { UserRepository } from '../users/user.repository';
import { SessionRepository } from './session.repository';

/** A super admin holds every permission through `superAdmin`, and sees everything. */
const SUPER_ADMIN_ACCESS: UserAccess = { permissions: new Set(), scope: { kind: 'all' }, scopeKind: 'all' };

interface AccessClaims {
  sub: string;
  sid: string;
  /** The user's token version when the token was issued; bumping it ends every session at once. */
  tv: number;
  exp?: number;
  nbf?: number;
}

/**
 * Sign-in sessions. A session is a refresh-token row; access tokens name their session (`sid`), so
 * logging out, disabling a user or forcing them offline revokes access tokens at once too. Each
 * refresh replaces the refresh token and keeps the replaced one's hash: presented again, it was
 * copied (by a thief or by the holder, there is no telling), so the whole session ends. A session
 * lives SESSION_ABSOLUTE_TTL_HOURS from its sign-in at most, however often it is refreshed.
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);
  private readonly accessTokens = new VerifiedTokens<AccessClaims>((token) => this.verifyAccessToken(token));

  constructor(
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly transactions: Transactions,
    private readonly jwt: JwtService,
    private readonly config: FleetgateConfig,
    private readonly passwords: PasswordHasher,
    private readonly access: UserAccessService,
    private readonly loginLog: LoginLogRecorder,
    private readonly throttle: LoginThrottle,
    private readonly signIns: SignInCache,
  ) {}

  async login(email: string, password: string, client: LoginClient = {}): Promise<TokenPairDto> {
    try {
      await this.throttle.admit(email, client.ip);
    } catch (refusal) {
      await this.loginLog.record({ email, outcome: 'locked', ...client });
      throw refusal;
    }
    const user = await this.users.findByEmail(email.toLowerCase());
    // Verify even when the user is unknown, so the answer takes as long either way.
    const valid = await this.passwords.verify(user?.passwordHash ?? (await this.passwords.decoyHash()), password);
    const refusal: LoginFailureReason | undefined = !user
      ? 'unknown_user'
      : !valid
        ? 'bad_password'
        : !user.enabled
          ? 'disabled'
          : undefined;
    if (!user || refusal) {
      await this.throttle.failed(email, client.ip);
      await this.loginLog.record({ email, userId: user?.id, outcome: 'failed', reason: refusal, ...client });
      throw new UnauthenticatedError('E-mail or password is wrong');
    }
    const refreshToken = randomToken();
    const sessionId = await this.sessions.create(user.id, sha256(refreshToken), this.refreshExpiry(new Date()));
    await this.throttle.succeeded(email, client.ip);
    await this.loginLog.record({ email: user.email, userId: user.id, outcome: 'succeeded', ...client });
    return this.tokenPair(user.id, sessionId, user.tokenVersion, refreshToken);
  }

  /**
   * Rotates the refresh token: the old one stops working, the session goes on. A replaced token
   * presented again ends the session, and so does losing a race with another refresh of the same
   * token (one of the two holders has a copy).
   */
  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const tokenHash = sha256(refreshToken);
    const session = await this.sessions.findByTokenHashWithUser(tokenHash);
    if (!session) {
      const retiredFrom = await this.sessions.sessionOfRetired(tokenHash);
      if (retiredFrom) await this.endReusedSession(retiredFrom);
      throw new UnauthenticatedError('The refresh token is not valid');
    }
    const now = new Date();
    if (session.revokedAt || session.expiresAt <= now || this.sessionEnd(session) <= now || !session.user.enabled) {
      throw new UnauthenticatedError('The refresh token is not valid');
    }
    const next = randomToken();
    const rotated = await this.sessions.rotate(
      session.id,
      tokenHash,
      sha256(next),
      this.refreshExpiry(session.createdAt),
    );
    if (!rotated) {
      await this.endReusedSession(session.id);
      throw new UnauthenticatedError('The refresh token is not valid');
    }
    return this.tokenPair(session.userId, session.id, session.user.tokenVersion, next);
  }

  /**
   * Ends every session of a user and revokes every API key they own, at once (force offline, disable,
   * password change): refresh tokens and keys are revoked, and the token version in outstanding access
   * tokens no longer matches.
   */
  async endAllAccess(userId: string): Promise<void> {
    const now = new Date();
    await this.transactions.run(async (tx) => {
      await this.users.bumpTokenVersion(userId, tx);
      await this.sessions.revokeAllOf(userId, now, tx);
      await this.apiKeys.revokeAllOf(userId, now, tx);
    });
    await this.signIns.invalidate();
  }

  /** A user's row changed (e-mail, department, enabled): tokens in flight must see it at once. */
  async userChanged(): Promise<void> {
    await this.signIns.invalidate();
  }

  async logout(sessionId: string): Promise<void> {
    await this.sessions.revoke(sessionId);
    await this.signIns.invalidate();
  }

  /** Signed with JWT_SECRET, or, during a rotation, with JWT_SECRET_PREVIOUS. */
  private async verifyAccessToken(accessToken: string): Promise<AccessClaims> {
    try {
      return await this.jwt.verifyAsync<AccessClaims>(accessToken, { algorithms: ['HS256'] });
    } catch (error) {
      const previous = this.config.JWT_SECRET_PREVIOUS;
      if (!previous) throw error;
      return this.jwt.verifyAsync<AccessClaims>(accessToken, { algorithms: ['HS256'], secret: previous });
    }
  }

  /** Verifies an access token and that its session and user are still good. */
  async authenticate(accessToken: string): Promise<Principal | undefined> {
    let claims: AccessClaims;
    try {
      claims = await this.accessTokens.claimsOf(accessToken);
    } catch {
      return undefined;
    }
    const session = await this.signIns.read(
      `session:${claims.sid}`,
      async () => (await this.sessions.findWithUser(claims.sid)) ?? undefined,
    );
    if (!session || session.revokedAt || session.userId !== claims.sub) return undefined;
    if (this.sessionEnd(session) <= new Date()) return undefined;
    const { user } = session;
    if (!user.enabled || user.tokenVersion !== claims.tv) return undefined;
    const access = user.isSuperAdmin
      ? { ...SUPER_ADMIN_ACCESS, departmentId: user.departmentId ?? undefined }
      : await this.access.accessOf(user.id);
    return {
      kind: 'user',
      userId: user.id,
      email: user.email,
      sessionId: session.id,
      superAdmin: user.isSuperAdmin,
      ...access,
    };
  }

  private async tokenPair(
    userId: string,
    sessionId: string,
    tokenVersion: number,
    refreshToken: string,
  ): Promise<TokenPairDto> {
    const claims: AccessClaims = { sub: userId, sid: sessionId, tv: tokenVersion };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.JWT_ACCESS_TTL_SECONDS });
    return { accessToken, expiresIn: this.config.JWT_ACCESS_TTL_SECONDS, refreshToken, tokenType: 'Bearer' };
  }

  private async endReusedSession(sessionId: string): Promise<void> {
    if (await this.sessions.revoke(sessionId)) {
      await this.signIns.invalidate();
      this.logger.warn({ sessionId }, 'a replaced refresh token was presented again: the session is ended');
    }
  }

  /** When a session started at `createdAt` ends, however often it is refreshed. */
  private sessionEnd(session: { createdAt: Date }): Date {
    return new Date(session.createdAt.getTime() + this.config.SESSION_ABSOLUTE_TTL_HOURS * 3_600_000);
  }

  /** A refresh token's expiry: REFRESH_TOKEN_TTL_DAYS from now, but never past the session's end. */
  private refreshExpiry(sessionCreatedAt: Date): Date {
    const sliding = Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000;
    return new Date(Math.min(sliding, this.sessionEnd({ createdAt: sessionCreatedAt }).getTime()));
  }
}
