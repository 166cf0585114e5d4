import { Injectable } from '@nestjs/common';
import { type Db, type Executor, PrismaService } from '@fleetgate/persistence';

/** The executors table: the only code that reads or writes it. */
@Injectable()
export class ExecutorRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Registers the executor, or (it is known) takes its details and counts it as beating now. */
  async register(
    id: string,
    row: { groupName: string; hostname: string; pid: number },
    db: Db = this.prisma,
  ): Promise<void> {
    await db.executor.upsert({
      where: { id },
      create: { id, ...row },
      update: { ...row, lastHeartbeatAt: new Date() },
    });
  }

  async beat(id: string, db: Db = this.prisma): Promise<void> {
    await db.executor.updateMany({ where: { id }, data: { lastHeartbeatAt: new Date() } });
  }

  /** Ids of the executors (of one group, or all) that beat since `since`, in id order. */
  async idsBeatingSince(since: Date, groupName: string | undefined, db: Db = this.prisma): Promise<string[]> {
    const rows = await db.executor.findMany({
      where: {
        ...(groupName === undefined ? {} : { groupName }),
        lastHeartbeatAt: { gte: since },
      },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return rows.map((row) => row.id);
  }

  /** Every executor, by group and then by start. */
  all(db: Db = this.prisma): Promise<Executor[]> {
    return db.executor.findMany({ orderBy: [{ groupName: 'asc' }, { startedAt: 'asc' }] });
  }

  async remove(id: string, db: Db = this.prisma): Promise<void> {
    await db.executor.deleteMany({ where: { id } });
  }
}
