import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { isFinalStatus, type TaskStatus } from '@fleetgate/domain';
import {
  type AccessNow,
  type CallerScope,
  type CreateTaskDto,
  devicesInScope,
  systemScope,
  targetWhere,
  TaskService,
  UserAccessNow,
} from '@fleetgate/fleet';
import { type JobRun, Prisma, PrismaService, type ScheduledJob } from '@fleetgate/persistence';
import { ApiError } from '@fleetgate/platform';
import { type ExecutorJobPayloads, jobIdOf, JobProducer, type JobPayloads } from '@fleetgate/queues';
import { ExecutorQueues } from './executor-queues';
import { EXECUTOR_ID, ExecutorRegistry } from './executor-registry';
import { ExecutorRouter } from './executor-router';
import { ACTION_PERMISSION } from './scheduling.service';

/** A fire this much later than its tick is a misfire (every worker was down, or Redis was). */
const MISFIRE_AFTER_MS = 60_000;
/** How long a serial run waits before looking again whether the previous run has ended. */
const SERIAL_WAIT_MS = 10_000;
/** The error of a fire whose executor group has no online executor. */
export const NO_ONLINE_EXECUTOR = 'no_online_executor';
/** The error of a run whose executor stopped beating before the run ended; the prefix of it. */
export const EXECUTOR_LOST = 'executor_lost';
/** A fire that found no online executor is tried again (per its retries) after this long. */
const NO_EXECUTOR_RETRY_DELAY_MS = 10_000;

type Shard = { index: number; total: number };

/** Settling a run stops the run's own task, whoever the job acts for. */
const SETTLE_SCOPE = systemScope('a scheduled run being settled stops its own task');

/**
 * The scope a fire acts with: its job's creator's, as their access stands at the fire; or, when the
 * creator was deleted or disabled or no longer holds what the action needs, why the fire may not act.
 */
function actingScope(access: AccessNow): { scope: CallerScope } | { refusal: string } {
  if (!access.granted) return { refusal: `refused: ${access.reason}` };
  if (!access.holds(ACTION_PERMISSION)) {
    return { refusal: `refused: its creator ${access.scope.userId} no longer holds ${ACTION_PERMISSION}` };
  }
  return { scope: access.scope };
}

export interface FireReport {
  outcome: 'routed' | 'started' | 'skipped' | 'waiting' | 'duplicate' | 'failed';
  runId?: string;
  /** The runs a routed fire recorded, one per executor picked, and those executors. */
  runIds?: string[];
  executors?: string[];
  taskId?: string;
  reason?: string;
}

/**
 * Fires scheduled jobs (creating their tasks through the same TaskService as POST /tasks) and
 * follows their runs. Each run acts for its job's creator, with the creator's access as it stands
 * at the run: only devices in their current scope, and nothing at all (the run fails, saying why)
 * once they are disabled, deleted or no longer hold what the action needs. A tick fires once
 * however many workers run: the run row is unique per job, tick, attempt and shard, and the task's
 * Idempotency-Key (the job's own, no caller's) is derived from the same.
 *
 * Routing: any worker takes a fire from the `tasks` queue, but the run is the business of an
 * executor of the job's group. The fire asks the ExecutorRouter who (per the job's `routing`),
 * records one `running` run per pick with its executor (and shard), and hands each run to its
 * executor's own queue (ExecutorQueues) under an id of job, tick, attempt and shard. The executor
 * then creates the run's task (`run`). Nothing is lost when a process dies on the way:
 * - the firing worker dies: BullMQ gives the fire to another worker, which finds the rows and hands
 *   over again the runs not started (the same job id, so at most once each);
 * - the executor dies before or during its run: `settle` sees its executor offline (no heartbeat
 *   within EXECUTOR_OFFLINE_AFTER_MS), cancels the run's task, fails the run `executor_lost` and
 *   retries it per the job's policy, fired again and so routed to an executor that is online;
 * - no executor of the group is online: the run is recorded failed `no_online_executor`, retried.
 */
@Injectable()
export class ScheduleRunner {
  private readonly logger = new Logger(ScheduleRunner.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly tasks: TaskService,
    private readonly producer: JobProducer,
    private readonly router: ExecutorRouter,
    private readonly executorQueues: ExecutorQueues,
    private readonly registry: ExecutorRegistry,
    private readonly accessNow: UserAccessNow,
  ) {}

  async fire(
    payload: JobPayloads['schedules.fire'],
    job: Pick<Job, 'timestamp' | 'delay' | 'opts'>,
  ): Promise<FireReport> {
    const tick =
      payload.scheduledFor !== undefined
        ? new Date(payload.scheduledFor)
        : new Date((job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp + job.delay);
    const attempt = payload.attempt ?? 0;
    const shard =
      payload.shardIndex !== undefined && payload.shardTotal !== undefined
        ? { index: payload.shardIndex, total: payload.shardTotal }
        : undefined;
    const definition = await this.prisma.scheduledJob.findUnique({ where: { id: payload.jobId } });
    if (!definition) return { outcome: 'skipped', reason: 'job deleted' };
    if (!definition.enabled && payload.trigger === 'schedule') return { outcome: 'skipped', reason: 'job stopped' };

    const late = Date.now() - tick.getTime();
    if (payload.trigger === 'schedule' && late > MISFIRE_AFTER_MS && definition.misfirePolicy === 'skip') {
      return this.record(
        definition,
        tick,
        attempt,
        payload.trigger,
        'skipped',
        `misfired: ${Math.round(late / 1000)} s late`,
      );
    }
    if (payload.trigger !== 'retry') {
      const previous = await this.prisma.jobRun.findMany({
        where: { jobId: definition.id, status: 'running', NOT: { scheduledFor: tick } },
        orderBy: { triggeredAt: 'desc' },
      });
      if (previous.length) {
        if (definition.overlapPolicy === 'discard') {
          const reason = `overlap: run ${previous[0].id} still running`;
          return this.record(definition, tick, attempt, payload.trigger, 'skipped', reason);
        }
        if (definition.overlapPolicy === 'serial') {
          await this.producer.enqueue(
            'schedules.fire',
            { ...payload, scheduledFor: tick.toISOString(), attempt },
            {
              jobId: jobIdOf(
                'schedules.fire',
                definition.id,
                'wait',
                tick.getTime(),
                Math.floor(Date.now() / SERIAL_WAIT_MS),
              ),
              delay: SERIAL_WAIT_MS,
            },
          );
          return { outcome: 'waiting', reason: `serial: waiting for run ${previous[0].id}` };
        }
        for (const run of previous) await this.stopRun(run.id, run.taskId, 'cancelled', 'replaced by a newer run');
      }
    }
    return this.route(definition, tick, attempt, payload.trigger, shard);
  }

  /**
   * Records a fire's runs, one per executor the router picks, and hands each to its executor. A fire
   * that comes again for the same tick (its first worker died after the rows) finds the rows and only
   * hands over again the runs not yet started.
   */
  private async route(
    definition: ScheduledJob,
    tick: Date,
    attempt: number,
    trigger: string,
    shard: Shard | undefined,
  ): Promise<FireReport> {
    let runs = await this.runsOfTick(definition.id, tick, attempt, shard);
    let fresh = runs.length === 0;
    if (fresh) {
      const picks = await this.router.pick(definition, shard);
      if (picks.length === 0) {
        const report = await this.record(definition, tick, attempt, trigger, 'failed', NO_ONLINE_EXECUTOR, shard);
        if (report.outcome !== 'duplicate' && attempt < definition.retryCount) {
          await this.refire(definition, tick, attempt + 1, shard, NO_EXECUTOR_RETRY_DELAY_MS);
        }
        return report;
      }
      try {
        // One statement: every shard of the fire is recorded, or (a concurrent fire won) none.
        runs = await this.prisma.jobRun.createManyAndReturn({
          data: picks.map((pick) => ({
            jobId: definition.id,
            scheduledFor: tick,
            attempt,
            trigger,
            executor: pick.executor,
            shardIndex: pick.shardIndex,
            shardTotal: pick.shardTotal,
          })),
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        runs = await this.runsOfTick(definition.id, tick, attempt, shard);
        fresh = false;
      }
    }
    for (const run of runs) {
      if (run.status !== 'running' || run.taskId || !run.executor) continue;
      await this.executorQueues.enqueue(run.executor, 'schedules.run', { runId: run.id }, [
        definition.id,
        tick.getTime(),
        attempt,
        run.shardIndex,
      ]);
    }
    if (!fresh) return { outcome: 'duplicate' };
    return { outcome: 'routed', runIds: runs.map((run) => run.id), executors: runs.map((run) => run.executor!) };
  }

  /** On the executor the router chose: creates the run's task, with the run's shard of the targets. */
  async run({ runId }: ExecutorJobPayloads['schedules.run']): Promise<FireReport> {
    const run = await this.prisma.jobRun.findUnique({ where: { id: runId }, include: { job: true } });
    if (!run || run.status !== 'running' || run.taskId) {
      return { outcome: 'duplicate', runId, reason: 'run already started or ended' };
    }
    const acting = actingScope(await this.accessNow.of(run.job.createdById));
    if ('refusal' in acting) {
      await this.finish(run.id, 'failed', acting.refusal);
      return { outcome: 'failed', runId, reason: acting.refusal };
    }
    try {
      const action = await this.shardOf(
        run.job.action as unknown as CreateTaskDto,
        run.shardIndex,
        run.shardTotal,
        acting.scope,
      );
      if (!action) {
        await this.finish(run.id, 'skipped', 'no target falls in this shard');
        return { outcome: 'skipped', runId, reason: 'empty shard' };
      }
      const shardKey = run.shardTotal > 1 ? `/${run.shardIndex}of${run.shardTotal}` : '';
      // The run's key is its job's own: no caller's key can answer or block it.
      const { task } = await this.tasks.create(action, acting.scope, {
        owner: `schedule:${run.jobId}`,
        key: `schedule/${run.jobId}/${run.scheduledFor.toISOString()}/${run.attempt}${shardKey}`,
      });
      const { count } = await this.prisma.jobRun.updateMany({
        where: { id: run.id, status: 'running' },
        data: { taskId: task.id },
      });
      if (count === 0) {
        // The run ended meanwhile (its executor was taken for lost and the run retried): no task of it runs unseen.
        await this.cancelTask(task.id);
        return { outcome: 'skipped', runId, reason: 'run ended before its task started' };
      }
      return { outcome: 'started', runId, taskId: task.id };
    } catch (error) {
      // A task the gateway refuses (no device matches any more, a capability gone) is this run's failure.
      if (!(error instanceof ApiError)) throw error;
      await this.finish(
        run.id,
        'failed',
        `${error.message}${error.details ? `: ${JSON.stringify(error.details)}` : ''}`,
      );
      return { outcome: 'failed', runId, reason: error.message };
    }
  }

  /**
   * A broadcast run's share of the task: the devices the targets select, in id order, whose position
   * modulo shardTotal is shardIndex, as an explicit device list (none: null). A whole run (one shard)
   * sends the targets as they were written, so that a group or filter is resolved by the task itself.
   */
  private async shardOf(
    action: CreateTaskDto,
    shardIndex: number,
    shardTotal: number,
    scope: CallerScope,
  ): Promise<CreateTaskDto | null> {
    if (shardTotal <= 1) return action;
    const devices = await this.prisma.device.findMany({
      where: { AND: [targetWhere(action.targets), devicesInScope(scope)] },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const deviceIds = devices.filter((_, position) => position % shardTotal === shardIndex).map((device) => device.id);
    return deviceIds.length ? { ...action, targets: { deviceIds } } : null;
  }

  /** Follows running runs to their end, times them out, and retries failures per the job's policy. */
  async settle(): Promise<{ settled: number; retried: number }> {
    const running = await this.prisma.jobRun.findMany({ where: { status: 'running' }, include: { job: true } });
    if (running.length === 0) return { settled: 0, retried: 0 };
    const online = new Set(await this.registry.onlineIds());
    let settled = 0;
    let retried = 0;
    for (const run of running) {
      const task = run.taskId
        ? await this.prisma.task.findUnique({ where: { id: run.taskId }, select: { status: true } })
        : null;
      let status: string | undefined;
      let lost = false;
      if (run.taskId && !task) status = 'failed';
      else if (task && isFinalStatus(task.status as TaskStatus)) status = task.status;
      else if (Date.now() - run.triggeredAt.getTime() > run.job.runTimeoutSeconds * 1000) {
        await this.stopRun(run.id, run.taskId, 'timed_out', `no end within ${run.job.runTimeoutSeconds} s`);
        status = 'timed_out';
      } else if (run.executor && !online.has(run.executor)) {
        // Its executor stopped beating (died, or lost its database): the run is failed over.
        await this.stopRun(run.id, run.taskId, 'failed', `${EXECUTOR_LOST}: ${run.executor} stopped beating`);
        status = 'failed';
        lost = true;
      } else if (!run.taskId && Date.now() - run.triggeredAt.getTime() > MISFIRE_AFTER_MS) {
        // The executor died between its run row and its task: nothing was sent, so this run failed.
        status = 'failed';
      }
      if (!status) continue;
      if (status !== 'timed_out' && !lost)
        await this.finish(run.id, status, status === 'succeeded' ? undefined : `task ended ${status}`);
      settled++;
      if (status !== 'succeeded' && status !== 'cancelled' && run.attempt < run.job.retryCount) {
        await this.retry(run.job, run, lost);
        retried++;
      }
    }
    return { settled, retried };
  }

  /**
   * The next attempt of a failed run (of its shard only, for a broadcast): its failed targets again
   * when the job says so and the task ran, else a new fire, routed anew. A lost executor's task was
   * cancelled, so that one is always fired again.
   */
  private async retry(definition: ScheduledJob, run: JobRun, lost: boolean): Promise<void> {
    const attempt = run.attempt + 1;
    const shard = run.shardTotal > 1 ? { index: run.shardIndex, total: run.shardTotal } : undefined;
    if (definition.retryScope === 'failed' && run.taskId && !lost) {
      let retryRun: JobRun;
      try {
        retryRun = await this.prisma.jobRun.create({
          data: {
            jobId: definition.id,
            scheduledFor: run.scheduledFor,
            attempt,
            trigger: 'retry',
            executor: run.executor ?? EXECUTOR_ID,
            taskId: run.taskId,
            shardIndex: run.shardIndex,
            shardTotal: run.shardTotal,
          },
        });
      } catch (error) {
        if (isUniqueViolation(error)) return;
        throw error;
      }
      const acting = actingScope(await this.accessNow.of(definition.createdById));
      if ('refusal' in acting) {
        await this.finish(retryRun.id, 'failed', acting.refusal);
        return;
      }
      await this.tasks
        .retryFailed(run.taskId, acting.scope)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'retry of failed targets refused'));
      return;
    }
    await this.refire(definition, run.scheduledFor, attempt, shard);
  }

  private async refire(definition: ScheduledJob, tick: Date, attempt: number, shard?: Shard, delay = 0): Promise<void> {
    await this.producer.enqueue(
      'schedules.fire',
      {
        jobId: definition.id,
        trigger: 'retry',
        scheduledFor: tick.toISOString(),
        attempt,
        ...(shard ? { shardIndex: shard.index, shardTotal: shard.total } : {}),
      },
      {
        jobId: jobIdOf(
          'schedules.fire',
          definition.id,
          'retry',
          tick.getTime(),
          attempt,
          ...(shard ? [shard.index] : []),
        ),
        delay,
      },
    );
  }

  private runsOfTick(jobId: string, tick: Date, attempt: number, shard: Shard | undefined): Promise<JobRun[]> {
    return this.prisma.jobRun.findMany({
      where: { jobId, scheduledFor: tick, attempt, ...(shard ? { shardIndex: shard.index } : {}) },
      orderBy: { shardIndex: 'asc' },
    });
  }

  private async stopRun(runId: string, taskId: string | null, status: string, reason: string): Promise<void> {
    if (taskId) await this.cancelTask(taskId);
    await this.finish(runId, status, reason);
  }

  private async cancelTask(taskId: string): Promise<void> {
    await this.tasks.cancel(taskId, SETTLE_SCOPE).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    });
  }

  private async finish(runId: string, status: string, error?: string): Promise<void> {
    const run = await this.prisma.jobRun.findUnique({ where: { id: runId }, select: { triggeredAt: true } });
    const finishedAt = new Date();
    await this.prisma.jobRun.updateMany({
      where: { id: runId, status: 'running' },
      data: {
        status,
        error: error ?? null,
        finishedAt,
        durationMs: run ? finishedAt.getTime() - run.triggeredAt.getTime() : null,
      },
    });
  }

  /** A fire that ends at once (skipped, or failed for want of an executor), in the dispatch log. */
  private async record(
    definition: ScheduledJob,
    tick: Date,
    attempt: number,
    trigger: string,
    status: 'skipped' | 'failed',
    reason: string,
    shard?: Shard,
  ): Promise<FireReport> {
    try {
      const run = await this.prisma.jobRun.create({
        data: {
          jobId: definition.id,
          scheduledFor: tick,
          attempt,
          trigger,
          executor: status === 'skipped' ? EXECUTOR_ID : null,
          status,
          error: reason,
          finishedAt: new Date(),
          durationMs: 0,
          shardIndex: shard?.index ?? 0,
          shardTotal: shard?.total ?? 1,
        },
      });
      return { outcome: status, runId: run.id, reason };
    } catch (error) {
      if (isUniqueViolation(error)) return { outcome: 'duplicate' };
      throw error;
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
