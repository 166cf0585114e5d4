import { Injectable } from '@nestjs/common';
import { type Db, PrismaService, type RefreshToken, type User } from '@fleetgate/persistence';

export type SessionWithUser = RefreshToken & { user: User };

/**
 * Sign-in sessions (`refresh_tokens`, one row a session) and the hashes of the refresh tokens each
 * replaced (`retired_refresh_tokens`).
 */
@Injectable()
export class SessionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Starts a session; answers its id. */
  async create(userId: string, tokenHash: string, expiresAt: Date, db: Db = this.prisma): Promise<string> {
    const session = await db.refreshToken.create({ data: { userId, tokenHash, expiresAt } });
    return session.id;
  }

  findWithUser(id: string, db: Db = this.prisma): Promise<SessionWithUser | null> {
    return db.refreshToken.findUnique({ where: { id }, include: { user: true } });
  }

  /** The session whose current refresh token has this hash, with its user. */
  findByTokenHashWithUser(tokenHash: string, db: Db = this.prisma): Promise<SessionWithUser | null> {
    return db.refreshToken.findUnique({ where: { tokenHash }, include: { user: true } });
  }

  /** The session a replaced refresh token belonged to, if the hash is one. */
  async sessionOfRetired(tokenHash: string, db: Db = this.prisma): Promise<string | undefined> {
    return (await db.retiredRefreshToken.findUnique({ where: { tokenHash } }))?.sessionId;
  }

  /**
   * Replaces the session's refresh token when its hash is still `tokenHash` and the session is live,
   * and keeps the replaced hash, in one transaction; answers whether it was replaced.
   */
  rotate(sessionId: string, tokenHash: string, nextHash: string, expiresAt: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.refreshToken.updateMany({
        where: { id: sessionId, tokenHash, revokedAt: null },
        data: { tokenHash: nextHash, expiresAt },
      });
      if (count === 1) await tx.retiredRefreshToken.create({ data: { tokenHash, sessionId } });
      return count === 1;
    });
  }

  /** Ends a live session; answers whether it was live. */
  async revoke(id: string, db: Db = this.prisma): Promise<boolean> {
    const { count } = await db.refreshToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count > 0;
  }

  /** Ends every live session of a user. */
  async revokeAllOf(userId: string, at: Date, db: Db = this.prisma): Promise<void> {
    await db.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: at } });
  }

  /** Deletes sessions that expired or were revoked before `cutoff`; answers how many. */
  async deleteEndedBefore(cutoff: Date, db: Db = this.prisma): Promise<number> {
    const { count } = await db.refreshToken.deleteMany({
      where: { OR: [{ expiresAt: { lt: cutoff } }, { revokedAt: { lt: cutoff } }] },
    });
    return count;
  }
}
