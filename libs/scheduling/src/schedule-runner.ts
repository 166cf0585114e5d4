import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { isFinalStatus, type TaskStatus } from '@fleetgate/domain';
import { type CreateTaskDto, TaskService } from '@fleetgate/fleet';
import { Prisma, PrismaService, type ScheduledJob } from '@fleetgate/persistence';
import { ApiError } from '@fleetgate/platform';
import { jobIdOf, JobProducer, type JobPayloads } from '@fleetgate/queues';

/** A fire this much later than its tick is a misfire (every worker was down, or Redis was). */
const MISFIRE_AFTER_MS = 60_000;
/** How long a serial run waits before looking again whether the previous run has ended. */
const SERIAL_WAIT_MS = 10_000;

export interface FireReport {
  outcome: 'started' | 'skipped' | 'waiting' | 'duplicate' | 'failed';
  runId?: string;
  taskId?: string;
  reason?: string;
}

/** This process as an executor in the dispatch log. */
export const EXECUTOR_ID = `${hostname()}:${process.pid}`;

/**
 * Fires scheduled jobs (creating their tasks through the same TaskService as POST /tasks) and
 * follows their runs. A tick fires once however many workers run: the run row is unique per job,
 * tick and attempt, and the task's Idempotency-Key is derived from the same three.
 */
@Injectable()
export class ScheduleRunner {
  private readonly logger = new Logger(ScheduleRunner.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly tasks: TaskService,
    private readonly producer: JobProducer,
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
    const definition = await this.prisma.scheduledJob.findUnique({ where: { id: payload.jobId } });
    if (!definition) return { outcome: 'skipped', reason: 'job deleted' };
    if (!definition.enabled && payload.trigger === 'schedule') return { outcome: 'skipped', reason: 'job stopped' };

    const late = Date.now() - tick.getTime();
    if (payload.trigger === 'schedule' && late > MISFIRE_AFTER_MS && definition.misfirePolicy === 'skip') {
      return this.skip(definition, tick, attempt, payload.trigger, `misfired: ${Math.round(late / 1000)} s late`);
    }
    if (payload.trigger !== 'retry') {
      const previous = await this.prisma.jobRun.findFirst({
        where: { jobId: definition.id, status: 'running', NOT: { scheduledFor: tick } },
        orderBy: { triggeredAt: 'desc' },
      });
      if (previous) {
        if (definition.overlapPolicy === 'discard') {
          return this.skip(definition, tick, attempt, payload.trigger, `overlap: run ${previous.id} still running`);
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
          return { outcome: 'waiting', reason: `serial: waiting for run ${previous.id}` };
        }
        await this.stopRun(previous.id, previous.taskId, 'cancelled', 'replaced by a newer run');
      }
    }

    let runId: string;
    try {
      runId = (
        await this.prisma.jobRun.create({
          data: { jobId: definition.id, scheduledFor: tick, attempt, trigger: payload.trigger, executor: EXECUTOR_ID },
          select: { id: true },
        })
      ).id;
    } catch (error) {
      // Another worker already fired this tick.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        return { outcome: 'duplicate' };
      throw error;
    }
    try {
      const { task } = await this.tasks.create(
        definition.action as unknown as CreateTaskDto,
        undefined,
        `schedule/${definition.id}/${tick.toISOString()}/${attempt}`,
      );
      await this.prisma.jobRun.update({ where: { id: runId }, data: { taskId: task.id } });
      return { outcome: 'started', runId, taskId: task.id };
    } catch (error) {
      // A task the gateway refuses (no device matches any more, a capability gone) is this run's failure.
      if (!(error instanceof ApiError)) throw error;
      await this.finish(
        runId,
        'failed',
        `${error.message}${error.details ? `: ${JSON.stringify(error.details)}` : ''}`,
      );
      return { outcome: 'failed', runId, reason: error.message };
    }
  }

  /** Follows running runs to their end, times them out, and retries failures per the job's policy. */
  async settle(): Promise<{ settled: number; retried: number }> {
    const running = await this.prisma.jobRun.findMany({ where: { status: 'running' }, include: { job: true } });
    let settled = 0;
    let retried = 0;
    for (const run of running) {
      const task = run.taskId
        ? await this.prisma.task.findUnique({ where: { id: run.taskId }, select: { status: true } })
        : null;
      let status: string | undefined;
      if (run.taskId && !task) status = 'failed';
      else if (task && isFinalStatus(task.status as TaskStatus)) status = task.status;
      else if (Date.now() - run.triggeredAt.getTime() > run.job.runTimeoutSeconds * 1000) {
        await this.stopRun(run.id, run.taskId, 'timed_out', `no end within ${run.job.runTimeoutSeconds} s`);
        status = 'timed_out';
      } else if (!run.taskId && Date.now() - run.triggeredAt.getTime() > MISFIRE_AFTER_MS) {
        // The executor died between its run row and its task: nothing was sent, so this run failed.
        status = 'failed';
      }
      if (!status) continue;
      if (status !== 'timed_out')
        await this.finish(run.id, status, status === 'succeeded' ? undefined : `task ended ${status}`);
      settled++;
      if (status !== 'succeeded' && status !== 'cancelled' && run.attempt < run.job.retryCount) {
        await this.retry(run.job, run.scheduledFor, run.attempt + 1, run.taskId);
        retried++;
      }
    }
    return { settled, retried };
  }

  private async retry(definition: ScheduledJob, tick: Date, attempt: number, taskId: string | null): Promise<void> {
    if (definition.retryScope === 'failed' && taskId) {
      try {
        await this.prisma.jobRun.create({
          data: { jobId: definition.id, scheduledFor: tick, attempt, trigger: 'retry', executor: EXECUTOR_ID, taskId },
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return;
        throw error;
      }
      await this.tasks
        .retryFailed(taskId)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'retry of failed targets refused'));
      return;
    }
    await this.producer.enqueue(
      'schedules.fire',
      { jobId: definition.id, trigger: 'retry', scheduledFor: tick.toISOString(), attempt },
      { jobId: jobIdOf('schedules.fire', definition.id, 'retry', tick.getTime(), attempt) },
    );
  }

  private async stopRun(runId: string, taskId: string | null, status: string, reason: string): Promise<void> {
    if (taskId) {
      await this.tasks.cancel(taskId).catch((error: unknown) => {
        if (!(error instanceof ApiError && error.status === 409)) throw error;
      });
    }
    await this.finish(runId, status, reason);
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

  private async skip(
    definition: ScheduledJob,
    tick: Date,
    attempt: number,
    trigger: string,
    reason: string,
  ): Promise<FireReport> {
    try {
      const run = await this.prisma.jobRun.create({
        data: {
          jobId: definition.id,
          scheduledFor: tick,
          attempt,
          trigger,
          executor: EXECUTOR_ID,
          status: 'skipped',
          error: reason,
          finishedAt: new Date(),
          durationMs: 0,
        },
      });
      return { outcome: 'skipped', runId: run.id, reason };
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        return { outcome: 'duplicate' };
      throw error;
    }
  }
}
