import { Injectable } from '@nestjs/common';
import { ForbiddenError, InvalidInputError, NotFoundError } from '@fleetgate/domain';
import { holds, Permission, type Principal } from '@fleetgate/auth';
import { type AccessScope, callerScope } from '@fleetgate/fleet';
import { VendorError } from '@fleetgate/vendors';
import type { JobRun, Prisma, ScheduledJob } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import { jobIdOf, JobProducer, QueueName } from '@fleetgate/queues';
import { JobRunRepository } from './job-run.repository';
import { ScheduledJobRepository } from './scheduled-job.repository';
import { type VendorPullOutcome, VendorScheduleMirror } from './vendor-schedule-mirror';
import { checkPlan, cronPatternOf, nextFireTimes, ScheduleError, type SchedulePlan } from './schedule-plan';
import type {
  CleanJobRunsDto,
  CreateScheduledJobDto,
  JobRunDto,
  JobRunQueryDto,
  ScheduledJobDto,
  ScheduledJobQueryDto,
  ScheduleStatsDto,
  UpdateScheduledJobDto,
} from './scheduled-job.dto';

export function schedulerKeyOf(jobId: string): string {
  return `schedule/${jobId}`;
}

/** What a job's action (a task, as POST /tasks takes it) needs of whoever defines or starts it. */
export const ACTION_PERMISSION = Permission.TasksManage;

/**
 * A job acts for the user who created, last edited, started or ran it, so defining, starting or
 * firing one needs what its action needs: a schedule is never a way around POST /tasks.
 */
function refuseWithoutActionPermission(principal: Principal): void {
  if (!holds(principal, ACTION_PERMISSION)) {
    throw new ForbiddenError(`A scheduled job's action is a task: this needs the permission ${ACTION_PERMISSION}`);
  }
}

/** The user a job acts for, and the department it belongs to. */
function actorColumns(principal: Principal) {
  return { createdById: principal.userId, departmentId: principal.departmentId ?? null };
}

/**
 * Scheduled jobs, seen within data scopes as tasks are: their definitions in PostgreSQL, their ticks in BullMQ's job schedulers (one
 * scheduler per job, so any number of workers fire each tick once), their runs as the dispatch log.
 */
@Injectable()
export class SchedulingService {
  constructor(
    private readonly jobs: ScheduledJobRepository,
    private readonly jobRuns: JobRunRepository,
    private readonly producer: JobProducer,
    private readonly vendorSchedules: VendorScheduleMirror,
  ) {}

  async create(input: CreateScheduledJobDto, principal: Principal): Promise<ScheduledJobDto> {
    refuseWithoutActionPermission(principal);
    const plan = planOf({ ...input, timeZone: input.timeZone ?? 'UTC' });
    const vendorAccountId =
      input.runner === 'vendor'
        ? await this.vendorSchedules.accountFor(
            { scheduleKind: plan.kind, timeZone: plan.timeZone, action: input.action },
            callerScope(principal),
          )
        : undefined;
    const scope = callerScope(principal);
    const row = await this.jobs.create(scope, {
      name: input.name,
      groupName: input.groupName,
      description: input.description,
      ...planColumns(plan),
      action: input.action as unknown as Prisma.InputJsonValue,
      retryCount: input.retryCount,
      retryScope: input.retryScope,
      misfirePolicy: input.misfirePolicy,
      overlapPolicy: input.overlapPolicy,
      runTimeoutSeconds: input.runTimeoutSeconds,
      enabled: input.enabled,
      executorGroup: input.executorGroup,
      routing: input.routing,
      runner: input.runner,
      vendorAccountId,
      ...actorColumns(principal),
    });
    if (row.runner === 'vendor') {
      try {
        return toDto(await this.vendorSchedules.push(row));
      } catch (error) {
        await this.jobs.delete(scope, row.id);
        throw error;
      }
    }
    await this.syncSchedule(row);
    return toDto(row);
  }

  /** An edit makes the job act for its editor. */
  async update(id: string, input: UpdateScheduledJobDto, principal: Principal): Promise<ScheduledJobDto> {
    const scope = callerScope(principal);
    const current = await this.row(id, scope);
    refuseWithoutActionPermission(principal);
    const plan = planOf({
      scheduleKind: input.scheduleKind ?? current.scheduleKind,
      cron: input.cron ?? current.cron ?? undefined,
      timeZone: input.timeZone ?? current.timeZone,
      runAt: input.runAt ?? current.runAt ?? undefined,
      weekdays: input.weekdays ?? current.weekdays,
      timeOfDay: input.timeOfDay ?? current.timeOfDay ?? undefined,
    });
    const vendorAccountId =
      current.runner === 'vendor'
        ? await this.vendorSchedules.accountFor(
            { scheduleKind: plan.kind, timeZone: plan.timeZone, action: input.action ?? current.action },
            scope,
          )
        : undefined;
    const row = await this.jobs.update(scope, id, {
      groupName: input.groupName,
      description: input.description,
      ...planColumns(plan),
      action: input.action === undefined ? undefined : (input.action as unknown as Prisma.InputJsonValue),
      retryCount: input.retryCount,
      retryScope: input.retryScope,
      misfirePolicy: input.misfirePolicy,
      overlapPolicy: input.overlapPolicy,
      runTimeoutSeconds: input.runTimeoutSeconds,
      enabled: input.enabled,
      executorGroup: input.executorGroup,
      routing: input.routing,
      vendorAccountId,
      ...actorColumns(principal),
    });
    await this.syncSchedule(row);
    return toDto(row.runner === 'vendor' ? await this.vendorSchedules.push(row) : row);
  }

  async remove(id: string, scope: AccessScope): Promise<void> {
    const row = await this.row(id, scope);
    await this.vendorSchedules.withdraw(row);
    await this.jobs.delete(scope, id);
    await this.syncSchedule({ ...row, enabled: false });
  }

  /**
   * Starting a job makes it act for whoever starts it, so that nobody sets a colleague's wider access
   * going; stopping it takes nothing from anyone and leaves it acting for whom it acts for.
   */
  async setEnabled(id: string, enabled: boolean, principal: Principal): Promise<ScheduledJobDto> {
    const scope = callerScope(principal);
    const current = await this.row(id, scope);
    if (enabled) {
      refuseWithoutActionPermission(principal);
      // A vendor fires what it keeps by itself: its targets must be within the starter's scope now.
      if (current.runner === 'vendor') await this.vendorSchedules.accountFor(current, scope);
    }
    const row = await this.jobs.update(scope, id, { enabled, ...(enabled ? actorColumns(principal) : {}) });
    await this.syncSchedule(row);
    return toDto(row.runner === 'vendor' ? await this.vendorSchedules.push(row) : row);
  }

  /** Reads every vendor-kept schedule now (the worker does it each minute). */
  async pullVendorSchedules(): Promise<VendorPullOutcome[]> {
    const outcomes: VendorPullOutcome[] = [];
    for (const accountId of await this.vendorSchedules.schedulingAccounts()) {
      // One vendor being down does not hold the others back; the next pull tries it again.
      outcomes.push(
        await this.vendorSchedules.pull(accountId).catch((error: unknown) => {
          if (!(error instanceof VendorError)) throw error;
          return {
            accountId,
            imported: 0,
            stopped: 0,
            runs: 0,
            skipped: 0,
            error: `${error.kind}: ${error.vendorMessage}`,
          };
        }),
      );
    }
    return outcomes;
  }

  /** A copy under a new name, stopped, so that it can be edited before it runs. */
  async copy(id: string, name: string, principal: Principal): Promise<ScheduledJobDto> {
    const scope = callerScope(principal);
    const { id: _id, createdAt: _c, updatedAt: _u, name: _n, ...rest } = await this.row(id, scope);
    refuseWithoutActionPermission(principal);
    const row = await this.jobs.create(scope, {
      ...rest,
      ...actorColumns(principal),
      name,
      enabled: false,
      vendorScheduleId: null,
      action: rest.action as Prisma.InputJsonValue,
    });
    return toDto(row);
  }

  /**
   * Fires the job now, once, whatever its schedule (and even when stopped). The job acts for whoever
   * runs it, from this run on, as after an edit.
   */
  async runOnce(id: string, principal: Principal): Promise<{ scheduledFor: string }> {
    const scope = callerScope(principal);
    await this.row(id, scope);
    refuseWithoutActionPermission(principal);
    await this.jobs.update(scope, id, actorColumns(principal));
    const scheduledFor = new Date().toISOString();
    await this.producer.enqueue(
      'schedules.fire',
      { jobId: id, trigger: 'manual', scheduledFor },
      { jobId: jobIdOf('schedules.fire', id, 'manual', Date.parse(scheduledFor)) },
    );
    return { scheduledFor };
  }

  async list(query: ScheduledJobQueryDto, scope: AccessScope): Promise<Paged<ScheduledJobDto>> {
    const [rows, total] = await this.jobs.page(
      scope,
      { groupName: query.groupName, text: query.text },
      { skip: query.skip, take: query.pageSize },
    );
    return paged(rows.map(toDto), total, query);
  }

  groups(scope: AccessScope): Promise<Array<{ groupName: string; jobs: number }>> {
    return this.jobs.groups(scope);
  }

  async get(id: string, scope: AccessScope): Promise<ScheduledJobDto> {
    return toDto(await this.row(id, scope));
  }

  async nextFireTimes(id: string, count: number, scope: AccessScope): Promise<Date[]> {
    return nextFireTimes(planOfRow(await this.row(id, scope)), count);
  }

  async runs(query: JobRunQueryDto, scope: AccessScope): Promise<Paged<JobRunDto>> {
    const [rows, total] = await this.jobRuns.page(
      scope,
      { jobId: query.jobId, status: query.status, since: query.since },
      { skip: query.skip, take: query.pageSize },
    );
    return paged(rows.map(toRunDto), total, query);
  }

  async cleanRuns(input: CleanJobRunsDto, scope: AccessScope): Promise<number> {
    if ((input.olderThanDays === undefined) === (input.keepLast === undefined)) {
      throw new InvalidInputError('Say how to clean', [
        { field: 'olderThanDays', problem: 'give exactly one of olderThanDays and keepLast' },
      ]);
    }
    if (input.olderThanDays !== undefined) {
      return this.jobRuns.deleteEndedBefore(scope, new Date(Date.now() - input.olderThanDays * 86_400_000));
    }
    return this.jobRuns.deleteEndedBeyondLatest(scope, input.keepLast!);
  }

  async stats(days: number, scope: AccessScope): Promise<ScheduleStatsDto> {
    const [{ jobs, enabled }, runs, perDay] = await Promise.all([
      this.jobs.counts(scope),
      this.jobRuns.countByStatus(scope),
      this.jobRuns.perDay(scope, days),
    ]);
    return {
      jobs,
      enabled,
      runs: Object.fromEntries(runs.map((row) => [row.status, row.runs])),
      days: perDay.map((row) => ({
        day: new Date(row.day).toISOString().slice(0, 10),
        runs: Number(row.runs),
        succeeded: Number(row.succeeded),
        failed: Number(row.failed),
      })),
    };
  }

  /** The definitions of every job the scope reaches, as stored. */
  jobRows(scope: AccessScope): Promise<ScheduledJob[]> {
    return this.jobs.all(scope);
  }

  /** Makes BullMQ's schedule match the row: a job scheduler for cron and weekly, a delayed job for once. */
  async syncSchedule(row: ScheduledJob): Promise<void> {
    const queue = this.producer.queue(QueueName.Tasks);
    const key = schedulerKeyOf(row.id);
    // A vendor-kept schedule fires at the vendor; VendorScheduleMirror keeps that side.
    if (row.runner === 'vendor') {
      await queue.removeJobScheduler(key);
      return;
    }
    const plan = planOfRow(row);
    const pattern = cronPatternOf(plan);
    if (row.enabled && pattern) {
      await queue.upsertJobScheduler(
        key,
        { pattern, tz: row.timeZone },
        { name: 'schedules.fire', data: { jobId: row.id, trigger: 'schedule' } },
      );
      return;
    }
    await queue.removeJobScheduler(key);
    if (plan.kind === 'once' && plan.runAt) {
      const onceId = jobIdOf('schedules.fire', row.id, 'once', plan.runAt.getTime());
      if (row.enabled) {
        await this.producer.enqueue(
          'schedules.fire',
          { jobId: row.id, trigger: 'schedule', scheduledFor: plan.runAt.toISOString() },
          { jobId: onceId, delay: Math.max(0, plan.runAt.getTime() - Date.now()) },
        );
      } else {
        await (await queue.getJob(onceId))?.remove().catch(() => undefined);
      }
    }
  }

  /** A job the scope reaches; one outside it is not found, so that its existence does not leak. */
  private async row(id: string, scope: AccessScope): Promise<ScheduledJob> {
    const row = await this.jobs.find(scope, id);
    if (!row) throw new NotFoundError('Scheduled job', id);
    return row;
  }
}

function planOf(input: {
  scheduleKind: string;
  cron?: string;
  timeZone: string;
  runAt?: Date;
  weekdays?: string[];
  timeOfDay?: string;
}): SchedulePlan {
  const plan: SchedulePlan = {
    kind: input.scheduleKind as SchedulePlan['kind'],
    cron: input.scheduleKind === 'cron' ? input.cron : null,
    timeZone: input.timeZone,
    runAt: input.scheduleKind === 'once' ? input.runAt : null,
    weekdays: input.scheduleKind === 'weekly' ? input.weekdays : [],
    timeOfDay: input.scheduleKind === 'weekly' ? input.timeOfDay : null,
  };
  try {
    checkPlan(plan);
  } catch (error) {
    if (error instanceof ScheduleError)
      throw new InvalidInputError('Invalid schedule', [{ field: error.field, problem: error.message }]);
    throw error;
  }
  return plan;
}

function planColumns(plan: SchedulePlan) {
  return {
    scheduleKind: plan.kind,
    cron: plan.cron ?? null,
    timeZone: plan.timeZone,
    runAt: plan.runAt ?? null,
    weekdays: [...(plan.weekdays ?? [])],
    timeOfDay: plan.timeOfDay ?? null,
  };
}

export function planOfRow(row: ScheduledJob): SchedulePlan {
  return {
    kind: row.scheduleKind as SchedulePlan['kind'],
    cron: row.cron,
    timeZone: row.timeZone,
    runAt: row.runAt,
    weekdays: row.weekdays,
    timeOfDay: row.timeOfDay,
  };
}

function toDto(row: ScheduledJob): ScheduledJobDto {
  const next = row.enabled ? nextFireTimes(planOfRow(row), 1)[0] : undefined;
  return {
    id: row.id,
    name: row.name,
    groupName: row.groupName,
    description: row.description,
    scheduleKind: row.scheduleKind,
    cron: row.cron,
    timeZone: row.timeZone,
    runAt: row.runAt,
    weekdays: row.weekdays,
    timeOfDay: row.timeOfDay,
    action: row.action as Record<string, unknown>,
    retryCount: row.retryCount,
    retryScope: row.retryScope,
    misfirePolicy: row.misfirePolicy,
    overlapPolicy: row.overlapPolicy,
    runTimeoutSeconds: row.runTimeoutSeconds,
    enabled: row.enabled,
    executorGroup: row.executorGroup,
    routing: row.routing,
    runner: row.runner,
    vendorAccountId: row.vendorAccountId,
    vendorScheduleId: row.vendorScheduleId,
    nextFireAt: next ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toRunDto(row: JobRun): JobRunDto {
  return {
    id: row.id,
    jobId: row.jobId,
    scheduledFor: row.scheduledFor,
    attempt: row.attempt,
    trigger: row.trigger,
    executor: row.executor,
    shardIndex: row.shardIndex,
    shardTotal: row.shardTotal,
    status: row.status,
    taskId: row.taskId,
    error: row.error,
    triggeredAt: row.triggeredAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
  };
}
