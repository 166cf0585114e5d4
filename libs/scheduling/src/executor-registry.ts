import { hostname } from 'node:os';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaService } from '@fleetgate/persistence';
import { EXECUTOR_ID } from './schedule-runner';
import type { ExecutorDto } from './scheduled-job.dto';

const HEARTBEAT_EVERY_MS = 10_000;
/** An executor silent this long is offline. */
export const EXECUTOR_OFFLINE_AFTER_MS = 30_000;

/** Worker processes as executors: each registers, beats every 10 s, and leaves when it stops. */
@Injectable()
export class ExecutorRegistry implements OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: FleetgateConfig,
  ) {}

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
    }, HEARTBEAT_EVERY_MS);
    this.timer.unref();
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
      status: now - row.lastHeartbeatAt.getTime() < EXECUTOR_OFFLINE_AFTER_MS ? 'online' : 'offline',
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
