import { hostname } from 'node:os';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { systemScope } from '@fleetgate/fleet';
import { ExecutorRepository } from './executor.repository';
import { JobRunRepository } from './job-run.repository';
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
    private readonly executors: ExecutorRepository,
    private readonly jobRuns: JobRunRepository,
    private readonly config: FleetgateConfig,
  ) {
    this.offlineAfterMs = 3 * config.EXECUTOR_HEARTBEAT_MS;
  }

  async start(): Promise<void> {
    const row = { groupName: this.config.EXECUTOR_GROUP, hostname: hostname(), pid: process.pid };
    await this.executors.register(EXECUTOR_ID, row);
    this.timer = setInterval(() => {
      this.executors.beat(EXECUTOR_ID).catch(() => undefined); // a missed beat shows as offline, which is the truth then
    }, this.config.EXECUTOR_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Ids of the online executors (of one group, or all), in id order: the order routing goes by. */
  async onlineIds(groupName?: string): Promise<string[]> {
    return this.executors.idsBeatingSince(new Date(Date.now() - this.offlineAfterMs), groupName);
  }

  async list(): Promise<ExecutorDto[]> {
    const [rows, running] = await Promise.all([
      this.executors.all(),
      // Every running run counts, whoever's job it is: the list shows how busy each process is.
      this.jobRuns.runningByExecutor(systemScope('the executors list counts the running runs of every job')),
    ]);
    const runningBy = new Map(running.map((row) => [row.executor, row.running]));
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
    await this.executors.remove(EXECUTOR_ID).catch(() => undefined);
  }
}
