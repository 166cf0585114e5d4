import { Injectable, Logger } from '@nestjs/common';
import { RuleViolationError, VendorRefusedError } from '@fleetgate/domain';
import type { Prisma, ScheduledJob } from '@fleetgate/persistence';
import type { FieldProblem } from '@fleetgate/platform';
import {
  type VendorAdapter,
  VendorAccountService,
  VendorError,
  type VendorSchedule,
  type VendorScheduleSpec,
  type VendorScheduling,
  type Weekday,
} from '@fleetgate/vendors';
import { type AccessScope, type CreateTaskDto, DeviceService, systemScope } from '@fleetgate/fleet';
import { JobRunRepository } from './job-run.repository';
import { ScheduledJobRepository } from './scheduled-job.repository';

/** What a vendor-kept schedule's action may be: data points set on devices of one account. */
const VENDOR_OPERATION = 'control.datapoints';
/** Pushing a job to its vendor sends the devices checked against its creator's scope when it was defined. */
const PUSH_SCOPE = systemScope('pushing a vendor-kept schedule whose devices were checked when it was defined');
/** The mirror keeps every vendor-kept job in step with its vendor, whoever the job acts for. */
const MIRROR_SCOPE = systemScope('mirroring vendor-kept schedules and their runs');

export interface VendorPullOutcome {
  accountId: string;
  /** Vendor schedules new to Fleetgate, now jobs. */
  imported: number;
  /** Jobs whose vendor schedule is gone, now stopped. */
  stopped: number;
  /** Vendor runs newly written to the dispatch log. */
  runs: number;
  /** Vendor schedules left out: they name devices Fleetgate has not synced. */
  skipped: number;
  /** Why the account could not be read this time. */
  error?: string;
}

/**
 * Jobs whose schedule the vendor keeps (runner `vendor`: Gizwits schedulers), mirrored both ways.
 * Fleetgate → vendor: saving, starting, stopping or deleting such a job creates or deletes the vendor's
 * schedule (Gizwits has no update, so a change is a delete and a create). Vendor → Fleetgate: pull()
 * imports schedules made in the vendor's own tools as jobs, stops jobs whose schedule was deleted
 * there, and writes each vendor run into the dispatch log. The worker pulls every account each minute.
 */
@Injectable()
export class VendorScheduleMirror {
  private readonly logger = new Logger(VendorScheduleMirror.name);

  constructor(
    private readonly devices: DeviceService,
    private readonly jobs: ScheduledJobRepository,
    private readonly jobRuns: JobRunRepository,
    private readonly accounts: VendorAccountService,
  ) {}

  /**
   * Checks that a job can be kept by a vendor; answers the account that will keep it. Its devices must
   * be in the scope of the user the job acts for: the vendor runs it on them unchecked.
   */
  async accountFor(
    job: Pick<ScheduledJob, 'scheduleKind' | 'timeZone'> & { action: unknown },
    scope: AccessScope,
  ): Promise<string> {
    const problems: FieldProblem[] = [];
    if (job.scheduleKind === 'cron')
      problems.push({ field: 'scheduleKind', problem: 'a vendor keeps once or weekly schedules only' });
    if (job.timeZone !== 'UTC') problems.push({ field: 'timeZone', problem: 'vendor schedules run in UTC' });
    const action = job.action as CreateTaskDto;
    if (action.operation?.type !== VENDOR_OPERATION) {
      problems.push({ field: 'action.operation.type', problem: `a vendor schedule sends ${VENDOR_OPERATION}` });
    }
    const devices = await this.devicesOf(action, scope);
    if (!action.targets?.deviceIds?.length || devices.length !== new Set(action.targets.deviceIds).size) {
      problems.push({
        field: 'action.targets.deviceIds',
        problem: 'a vendor schedule names its devices, and each must exist',
      });
    }
    const accountIds = [...new Set(devices.map((device) => device.accountId))];
    if (accountIds.length !== 1) {
      problems.push({ field: 'action.targets', problem: 'must select devices of exactly one vendor account' });
    } else if (!(await this.schedulingOf(accountIds[0]))) {
      problems.push({ field: 'runner', problem: `the vendor of account ${accountIds[0]} keeps no schedules` });
    }
    if (problems.length) throw new RuleViolationError('This job cannot be kept by a vendor', problems);
    return accountIds[0];
  }

  /** Makes the vendor match the job: its old schedule deleted, a new one made while the job is enabled. */
  async push(row: ScheduledJob): Promise<ScheduledJob> {
    if (!row.vendorAccountId) return row;
    const scheduling = await this.schedulingOf(row.vendorAccountId);
    if (!scheduling) return row;
    await this.withdraw(row);
    if (!row.enabled) return this.jobs.update(MIRROR_SCOPE, row.id, { vendorScheduleId: null });
    const devices = await this.devicesOf(row.action as unknown as CreateTaskDto, PUSH_SCOPE);
    const attrs = ((row.action as unknown as CreateTaskDto).operation.params?.attrs ??
      {}) as VendorScheduleSpec['controls'][number]['attrs'];
    const spec: VendorScheduleSpec = {
      ...(row.scheduleKind === 'weekly'
        ? { time: row.timeOfDay!, weekdays: row.weekdays as Weekday[] }
        : { time: row.runAt!.toISOString().slice(11, 16), date: row.runAt!.toISOString().slice(0, 10) }),
      controls: devices.map((device) => ({ vendorRef: device.vendorRef, attrs })),
      retryCount: row.retryCount,
      retryScope: row.retryScope === 'all' ? 'all' : 'failed',
    };
    try {
      const created = await scheduling.createSchedule(spec);
      return this.jobs.update(MIRROR_SCOPE, row.id, { vendorScheduleId: created.vendorTaskId });
    } catch (error) {
      if (error instanceof VendorError) {
        throw new VendorRefusedError(`The vendor refused the schedule: ${error.vendorMessage}`, {
          vendor: error.vendor,
          code: error.vendorCode,
          message: error.vendorMessage,
        });
      }
      throw error;
    }
  }

  /** Deletes the job's schedule at the vendor, if it has one there. */
  async withdraw(row: ScheduledJob): Promise<void> {
    if (!row.vendorAccountId || !row.vendorScheduleId) return;
    const adapter = await this.accounts.adapterFor(row.vendorAccountId);
    await adapter.cancelTasks([row.vendorScheduleId]);
  }

  /** Accounts whose vendor keeps schedules. */
  async schedulingAccounts(): Promise<string[]> {
    const ids: string[] = [];
    for (const id of await this.accounts.enabledIds()) if (await this.schedulingOf(id)) ids.push(id);
    return ids;
  }

  async pull(accountId: string): Promise<VendorPullOutcome> {
    const outcome: VendorPullOutcome = { accountId, imported: 0, stopped: 0, runs: 0, skipped: 0 };
    // One adapter for the whole pull: its schedules and then each one's last run.
    const adapter = await this.accounts.adapterFor(accountId);
    const scheduling = adapter.capabilities.has('schedules') ? adapter.scheduling : undefined;
    if (!scheduling) return outcome;
    const account = await this.accounts.get(accountId);
    const schedules = await scheduling.listSchedules();
    const known = await this.jobs.vendorKept(MIRROR_SCOPE, accountId);
    const byScheduleId = new Map(
      known.filter((job) => job.vendorScheduleId).map((job) => [job.vendorScheduleId!, job]),
    );
    const present = new Set(schedules.map((schedule) => schedule.vendorTaskId));

    for (const job of known) {
      if (job.enabled && job.vendorScheduleId && !present.has(job.vendorScheduleId)) {
        await this.jobs.update(MIRROR_SCOPE, job.id, { enabled: false, vendorScheduleId: null });
        outcome.stopped++;
      }
    }
    for (const schedule of schedules) {
      let job = byScheduleId.get(schedule.vendorTaskId);
      if (!job) {
        const imported = await this.importSchedule(account, schedule);
        if (!imported) {
          outcome.skipped++;
          continue;
        }
        job = imported;
        outcome.imported++;
      }
      outcome.runs += await this.recordLastRun(adapter, job, schedule);
    }
    return outcome;
  }

  private async importSchedule(
    account: { id: string; name: string; vendor: string },
    schedule: VendorSchedule,
  ): Promise<ScheduledJob | undefined> {
    const refs = schedule.controls.map((control) => control.vendorRef);
    const devices = await this.devices.inAccountByVendorRef(MIRROR_SCOPE, account.id, refs);
    if (devices.length !== new Set(refs).size) {
      this.logger.warn(
        { accountId: account.id, schedule: schedule.vendorTaskId },
        'vendor schedule names devices not synced yet; left for later',
      );
      return undefined;
    }
    const weekly = (schedule.weekdays?.length ?? 0) > 0;
    // One operation for every device: a vendor schedule that sets different values per device keeps
    // running at the vendor as it is; Fleetgate shows the first device's values (an edit sends them to all).
    const action = {
      operation: { type: VENDOR_OPERATION, params: { attrs: schedule.controls[0]?.attrs ?? {} } },
      targets: { deviceIds: devices.map((device) => device.id) },
    };
    const sameEverywhere = schedule.controls.every(
      (control) => JSON.stringify(control.attrs) === JSON.stringify(schedule.controls[0]?.attrs),
    );
    return this.jobs.create(MIRROR_SCOPE, {
      name: `${account.vendor}-${account.name}-${schedule.vendorTaskId.replace(/^\w+:/, '')}`.slice(0, 200),
      groupName: account.vendor,
      description: `Made in ${account.vendor}'s own tools${sameEverywhere ? '' : '; its devices get different values there'}`,
      scheduleKind: weekly ? 'weekly' : 'once',
      timeZone: 'UTC',
      weekdays: weekly ? schedule.weekdays! : [],
      timeOfDay: weekly ? schedule.time : null,
      runAt: weekly ? null : new Date(`${schedule.date}T${schedule.time}:00Z`),
      action: action as Prisma.InputJsonValue,
      retryCount: schedule.retryCount ?? 0,
      retryScope: schedule.retryScope ?? 'all',
      runner: 'vendor',
      vendorAccountId: account.id,
      vendorScheduleId: schedule.vendorTaskId,
    });
  }

  /** The vendor's last run of the schedule, as a run in the dispatch log (once: its time is its key). */
  private async recordLastRun(adapter: VendorAdapter, job: ScheduledJob, schedule: VendorSchedule): Promise<number> {
    const [progress] = await adapter.pollTasks([schedule.vendorTaskId]);
    const ranAt = (progress?.result as { ranAt?: string } | undefined)?.ranAt;
    if (!progress || !ranAt) return 0;
    const at = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(ranAt) ? ranAt : `${ranAt}Z`);
    return this.jobRuns.createMissing(MIRROR_SCOPE, [
      {
        jobId: job.id,
        scheduledFor: at,
        trigger: 'vendor',
        executor: adapter.vendor,
        status: progress.status === 'succeeded' ? 'succeeded' : 'failed',
        error: progress.error ? `${progress.error.code}: ${progress.error.message}` : null,
        triggeredAt: at,
        finishedAt: at,
        durationMs: 0,
      },
    ]);
  }

  private async schedulingOf(accountId: string): Promise<VendorScheduling | undefined> {
    const adapter = await this.accounts.adapterFor(accountId);
    return adapter.capabilities.has('schedules') ? adapter.scheduling : undefined;
  }

  private async devicesOf(
    action: CreateTaskDto,
    scope: AccessScope,
  ): Promise<Array<{ accountId: string; vendorRef: string }>> {
    const deviceIds = action.targets?.deviceIds ?? [];
    if (deviceIds.length === 0) return [];
    return this.devices.accountRefsOf(scope, deviceIds);
  }
}
