import { hostname } from 'node:os';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaService } from '@fleetgate/persistence';
import type { ExecutorDto } from './scheduled-job.dto';

/** This process as an executor: in the executors table, the dispatch log and its queue's name. */
export const EXECUTOR_ID = `${hostname()}:${process.pid}`;

/** Worker processes as executors: each registers, beats every EXECUTOR_HEARTBEAT_MS, and leaves when it stops. */
@Injectable()
export class ExecutorRegistry implements OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  /** An executor silent this long (three beats) is offline: no fire is routed to it, its running runs fail. */
  private readonly offlineAfterMs: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: FleetgateConfig,
  ) {
    this.offlineAfterMs = 3 * config.EXECUTOR_HEARTBEAT_MS;
  }

  async start(): Promise<void> {
    const row = { groupName: this.config.EXECUTOR_GROUP, hostname: hostname(), pid: process.pid };
    await this.prisma.executor.upsert({
      where: { id: EXECUTOR_ID },
      create: { id: EXECUTOR_ID, ...row },
      update: { ...row, lastHeartbeatAt: new Date() },
    });
    this.timer = setInterval(() => {
      this.prisma.executor
        .updateMany({ where: { id: EXECUTOR_ID }, data: { lastHeartbeatAt: new Date() } })
        .catch(() => undefined); // a missed beat shows as offline, which is the truth then
    }, this.config.EXECUTOR_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Ids of the online executors (of one group, or all), in id order: the order routing goes by. */
  async onlineIds(groupName?: string): Promise<string[]> {
    const rows = await this.prisma.executor.findMany({
      where: {
        ...(groupName === undefined ? {} : { groupName }),
        lastHeartbeatAt: { gte: new Date(Date.now() - this.offlineAfterMs) },
      },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return rows.map((row) => row.id);
  }

  async list(): Promise<ExecutorDto[]> {
    const [rows, running] = await Promise.all([
      this.prisma.executor.findMany({ orderBy: [{ groupName: 'asc' }, { startedAt: 'asc' }] }),
      this.prisma.jobRun.groupBy({ by: ['executor'], where: { status: 'running' }, _count: { _all: true } }),
    ]);
    const runningBy = new Map(running.map((row) => [row.executor, row._count._all]));
    const now = Date.now();
    return rows.map((row) => ({
      id: row.id,
      groupName: row.groupName,
      hostname: row.hostname,
      pid: row.pid,
      status: now - row.lastHeartbeatAt.getTime() < this.offlineAfterMs ? 'online' : 'offline',
      startedAt: row.startedAt,
      lastHeartbeatAt: row.lastHeartbeatAt,
      runningJobs: runningBy.get(row.id) ?? 0,
    }));
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    await this.prisma.executor.deleteMany({ where: { id: EXECUTOR_ID } }).catch(() => undefined);
  }
}
