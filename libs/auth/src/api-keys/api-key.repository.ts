import { Injectable } from '@nestjs/common';
import { type ApiKey, type Db, PrismaService, type User } from '@fleetgate/persistence';

export type ApiKeyWithOwner = ApiKey & { owner: User };

/** API keys (`api_keys`): the hash of each key's secret, found by the key's public prefix. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(
    key: { name: string; prefix: string; keyHash: string; ownerId: string; permissions: string[]; expiresAt: Date },
    db: Db = this.prisma,
  ): Promise<ApiKey> {
    return db.apiKey.create({ data: key });
  }

  /** A user's keys, newest first. */
  listOf(ownerId: string, db: Db = this.prisma): Promise<ApiKey[]> {
    return db.apiKey.findMany({ where: { ownerId }, orderBy: { createdAt: 'desc' } });
  }

  findByPrefixWithOwner(prefix: string, db: Db = this.prisma): Promise<ApiKeyWithOwner | null> {
    return db.apiKey.findUnique({ where: { prefix }, include: { owner: true } });
  }

  /** Revokes the owner's key if it is live; answers whether it was. */
  async revoke(id: string, ownerId: string, db: Db = this.prisma): Promise<boolean> {
    const { count } = await db.apiKey.updateMany({
      where: { id, ownerId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count > 0;
  }

  /** Revokes every live key of a user; answers how many. */
  async revokeAllOf(ownerId: string, at: Date = new Date(), db: Db = this.prisma): Promise<number> {
    const { count } = await db.apiKey.updateMany({ where: { ownerId, revokedAt: null }, data: { revokedAt: at } });
    return count;
  }

  async stampUsed(id: string, at: Date, db: Db = this.prisma): Promise<void> {
    await db.apiKey.update({ where: { id }, data: { lastUsedAt: at } });
  }
}
