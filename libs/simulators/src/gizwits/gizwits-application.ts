import type { FastifyReply, FastifyRequest } from 'fastify';
import { GizwitsError, gizwitsError } from './gizwits-errors';
import { type GizwitsState, type GizwitsUser, newToken } from './gizwits-state';

/**
 * The simulated Gizwits application that every route area reads: its id and secret, its request
 * quota, and its users' sign-ins (user and application tokens, their lifetime, SMS codes).
 */
export class GizwitsApplication {
  /** User tokens live this long (Gizwits gives a week), scaled by the time scale when it is above 0. */
  tokenTtlSeconds: number;
  /**
   * The application's request quota per second (Gizwits throttles with 9041 above it); undefined for
   * none. Set through `PUT /_sim/gizwits/quota`.
   */
  quotaPerSecond?: number;
  private quotaWindow = { startedAt: 0, used: 0 };

  constructor(
    readonly appId: string,
    readonly appSecret: string,
    private readonly initialTokenTtlSeconds: number,
    private readonly state: GizwitsState,
    private readonly timeScale: number,
  ) {
    this.tokenTtlSeconds = initialTokenTtlSeconds;
  }

  /** Restores the token lifetime the simulator started with and lifts the quota. */
  reset(): void {
    this.tokenTtlSeconds = this.initialTokenTtlSeconds;
    this.quotaPerSecond = undefined;
  }

  setQuota(perSecond: number | undefined): void {
    this.quotaPerSecond = perSecond;
    this.quotaWindow = { startedAt: 0, used: 0 };
  }

  /** Counts a request against the application's quota; true when it is over. */
  overQuota(): boolean {
    if (this.quotaPerSecond === undefined) return false;
    const now = Date.now();
    if (now - this.quotaWindow.startedAt >= 1000) this.quotaWindow = { startedAt: now, used: 0 };
    return ++this.quotaWindow.used > this.quotaPerSecond;
  }

  /** The signed-in user of X-Gizwits-User-token: a missing or unknown token is 9004, an expired one 9006. */
  user(request: FastifyRequest, reply: FastifyReply): GizwitsUser | undefined {
    const token = request.headers['x-gizwits-user-token'];
    const session = typeof token === 'string' ? this.state.tokens.get(token) : undefined;
    if (!session) {
      void gizwitsError(reply, GizwitsError.TokenInvalid, 'X-Gizwits-User-token is missing or unknown');
      return undefined;
    }
    if (session.expireAt <= Math.floor(Date.now() / 1000)) {
      void gizwitsError(reply, GizwitsError.TokenExpired, 'sign in again');
      return undefined;
    }
    return this.state.users.get(session.uid);
  }

  appToken(request: FastifyRequest, reply: FastifyReply): boolean {
    const token = request.headers['x-gizwits-application-token'];
    const expiresAt = typeof token === 'string' ? this.state.appTokens.get(token) : undefined;
    if (!expiresAt) {
      void gizwitsError(reply, GizwitsError.TokenInvalid, 'X-Gizwits-Application-Token is missing or unknown');
      return false;
    }
    if (expiresAt <= Math.floor(Date.now() / 1000)) {
      void gizwitsError(reply, GizwitsError.TokenExpired, 'X-Gizwits-Application-Token expired');
      return false;
    }
    return true;
  }

  smsMatches(phone: unknown, code: unknown): boolean {
    if (typeof phone !== 'string' || typeof code !== 'string') return false;
    const matches = this.state.smsCodes.get(phone) === code;
    if (matches) this.state.smsCodes.delete(phone);
    return matches;
  }

  session(user: GizwitsUser) {
    const token = newToken();
    const expireAt = this.expiry();
    this.state.tokens.set(token, { uid: user.uid, expireAt });
    return { uid: user.uid, token, expire_at: expireAt };
  }

  expiry(): number {
    const ttl = this.timeScale > 0 ? this.tokenTtlSeconds * this.timeScale : this.tokenTtlSeconds;
    return Math.floor(Date.now() / 1000 + ttl);
  }
}
