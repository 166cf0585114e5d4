import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '@fleetgate/persistence';

/**
 * The `queue_epochs` table: per Redis key prefix, the epoch last written to both stores. A Redis
 * holding no epoch where PostgreSQL holds one has lost its queues.
 */
@Injectable()
export class QueueEpochRepository {
  constructor(private readonly prisma: PrismaService) {}

  async epochOf(redisPrefix: string, db: Db = this.prisma): Promise<string | undefined> {
    return (await db.queueEpoch.findUnique({ where: { redisPrefix } }))?.epoch;
  }

  async record(redisPrefix: string, epoch: string, db: Db = this.prisma): Promise<void> {
    await db.queueEpoch.upsert({
      where: { redisPrefix },
      create: { redisPrefix, epoch },
      update: { epoch },
    });
  }
}
