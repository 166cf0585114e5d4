import type { Operation, VendorDevice } from '@fleetgate/domain';
import type {
  DevicePage,
  DispatchOutcome,
  VendorAdapter,
  VendorEvent,
  VendorSchedule,
  VendorScheduleSpec,
  VendorScheduling,
  VendorTaskProgress,
} from '../core/vendor-adapter';
import { VendorError } from '../core/vendor-error';
import { GIZWITS_CAPABILITIES } from './gizwits-capabilities';
import type { GizwitsAttrs, GizwitsClient, GizwitsScheduler, GizwitsSchedulerLog } from './gizwits-client';
import { bindingToVendorDevice, GIZWITS_CODES, latestDataAttributes, schedulerLogToProgress } from './gizwits-mapper';

/** Bindings per page of listDevices; the document's example pages by 20 and states no maximum. */
export const GIZWITS_PAGE_SIZE = 100;
/** Vendor task ids of Gizwits schedulers, so that polling tells them apart from anything else. */
const SCHEDULER_PREFIX = 'scheduler:';
/** How many bindings a schedule's product-key lookup reads at most. */
const PRODUCT_KEY_SCAN_LIMIT = 10_000;

function schedulerId(vendorTaskId: string): string {
  if (!vendorTaskId.startsWith(SCHEDULER_PREFIX) || vendorTaskId.length === SCHEDULER_PREFIX.length) {
    throw new VendorError('gizwits', 'invalid', 'task_id', `not a Gizwits scheduler task id: ${vendorTaskId}`);
  }
  return vendorTaskId.slice(SCHEDULER_PREFIX.length);
}

/**
 * Fleetgate's view of one Gizwits application and user. Controls are synchronous at Gizwits (it
 * answers once the command is sent to the device), so a dispatch answers final outcomes; the only
 * vendor tasks to poll are schedulers, named `scheduler:<id>`.
 */
export class GizwitsAdapter implements VendorAdapter, VendorScheduling {
  readonly vendor = 'gizwits' as const;
  readonly capabilities = GIZWITS_CAPABILITIES;
  readonly scheduling: VendorScheduling = this;

  constructor(readonly client: GizwitsClient) {}

  async testConnection(): Promise<void> {
    await this.client.bindings({ limit: 1, skip: 0 });
  }

  async listDevices(cursor?: string): Promise<DevicePage> {
    const skip = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isInteger(skip) || skip < 0) {
      throw new VendorError('gizwits', 'invalid', 'cursor', `not a cursor of this adapter: ${cursor}`);
    }
    const bindings = await this.client.bindings({ limit: GIZWITS_PAGE_SIZE, skip });
    return {
      devices: bindings.map(bindingToVendorDevice),
      // The bindings list has no total: a full page means there may be more.
      nextCursor: bindings.length === GIZWITS_PAGE_SIZE ? String(skip + GIZWITS_PAGE_SIZE) : undefined,
    };
  }

  /**
   * The document has no per-device detail call; the latest data is the one per-device read, and it
   * proves the device exists. Online state comes only with the bindings list, so it is `unknown` here.
   */
  async getDevice(vendorRef: string): Promise<VendorDevice> {
    const latest = await this.client.latestData(vendorRef);
    return {
      vendor: 'gizwits',
      vendorRef: latest.did,
      name: latest.did,
      status: 'unknown',
      attributes: latestDataAttributes(latest),
    };
  }

  async dispatch(operation: Operation, vendorRefs: string[]): Promise<DispatchOutcome[]> {
    switch (operation.type) {
      case 'control.datapoints': {
        const attrs = operation.params.attrs;
        return this.eachDevice(vendorRefs, (did) => this.client.controlAttrs(did, attrs));
      }
      case 'control.raw': {
        const raw = operation.params.raw;
        return this.eachDevice(vendorRefs, (did) => this.client.controlRaw(did, raw));
      }
      default:
        throw VendorError.unsupported(this.vendor, operation.type);
    }
  }

  /**
   * Scheduler runs, from each scheduler's last execution log. A scheduler that has not run yet is
   * pending whichever way Gizwits says so: a log without a status, or 9030 on the logs of a
   * scheduler just listed (whether it still exists is the schedule list's to say, not the log's).
   */
  async pollTasks(vendorTaskIds: string[]): Promise<VendorTaskProgress[]> {
    const progress: VendorTaskProgress[] = [];
    for (const vendorTaskId of vendorTaskIds) {
      const id = schedulerId(vendorTaskId);
      const notRun: VendorTaskProgress = { vendorTaskId, status: 'pending', vendorStatus: 'not_run' };
      try {
        const log = await this.client.schedulerLog(id);
        progress.push(log.status ? schedulerLogToProgress(vendorTaskId, log as GizwitsSchedulerLog) : notRun);
      } catch (error) {
        if (!(error instanceof VendorError && error.vendorCode === String(GIZWITS_CODES.schedulerNotFound)))
          throw error;
        progress.push(notRun);
      }
    }
    return progress;
  }

  /** Cancelling a scheduler deletes it; one already gone is what cancel wants. */
  async cancelTasks(vendorTaskIds: string[]): Promise<void> {
    for (const vendorTaskId of vendorTaskIds) {
      try {
        await this.client.deleteScheduler(schedulerId(vendorTaskId));
      } catch (error) {
        if (!(error instanceof VendorError && error.kind === 'not_found')) throw error;
      }
    }
  }

  /** The document describes no callbacks (devices report through the data reads and M2M, not HTTP). */
  parseCallback(): VendorEvent[] {
    throw VendorError.unsupported(this.vendor, 'callbacks');
  }

  async createSchedule(spec: VendorScheduleSpec): Promise<VendorSchedule> {
    const weekly = (spec.weekdays?.length ?? 0) > 0;
    if (weekly === (spec.date !== undefined)) {
      throw new VendorError(
        'gizwits',
        'invalid',
        'schedule',
        'a schedule has either a date (once) or weekdays (weekly)',
      );
    }
    const productKeys = await this.productKeysOf(spec.controls.map((control) => control.vendorRef));
    const { id } = await this.client.createScheduler({
      ...(weekly ? {} : { date: spec.date }),
      time: spec.time,
      repeat: weekly ? spec.weekdays!.join(',') : 'none',
      task: spec.controls.map(({ vendorRef, attrs }) => ({
        did: vendorRef,
        product_key: productKeys.get(vendorRef)!,
        attrs: attrs as GizwitsAttrs,
      })),
      retry_count: spec.retryCount ?? 0,
      retry_task: spec.retryScope ?? 'all',
    });
    return { ...spec, vendorTaskId: SCHEDULER_PREFIX + id };
  }

  async listSchedules(): Promise<VendorSchedule[]> {
    const schedules: VendorSchedule[] = [];
    for (let skip = 0; ; skip += GIZWITS_PAGE_SIZE) {
      const page = await this.client.listSchedulers({ limit: GIZWITS_PAGE_SIZE, skip });
      schedules.push(...page.map(schedulerToSchedule));
      if (page.length < GIZWITS_PAGE_SIZE) return schedules;
    }
  }

  /**
   * Sends to one device at a time (the control URL names one did). A device's own failure (offline
   * 9042, did or passcode 9016, not bound 9017, a bad data point 9025) fails that target alone; a
   * refusal of the account before anything was sent (9003, a token refused twice, throttled 9041) is
   * thrown so that the whole dispatch can be tried again.
   */
  private async eachDevice(dids: string[], send: (did: string) => Promise<unknown>): Promise<DispatchOutcome[]> {
    const outcomes: DispatchOutcome[] = [];
    for (const did of dids) {
      try {
        await send(did);
        outcomes.push({ vendorRef: did, status: 'succeeded' });
      } catch (error) {
        if (!(error instanceof VendorError)) throw error;
        if (outcomes.length === 0 && error.refusedUpFront) throw error;
        outcomes.push({
          vendorRef: did,
          status: error.kind === 'timeout' ? 'timed_out' : 'failed',
          error: {
            code: error.vendorCode,
            message: error.vendorMessage,
            ...(error.deviceOffline ? { deviceOffline: true } : {}),
          },
        });
      }
    }
    return outcomes;
  }

  /** A scheduler's task names each device's product key, which only the bindings list gives. */
  private async productKeysOf(dids: string[]): Promise<Map<string, string>> {
    const wanted = new Set(dids);
    const found = new Map<string, string>();
    for (let skip = 0; skip < PRODUCT_KEY_SCAN_LIMIT && found.size < wanted.size; skip += GIZWITS_PAGE_SIZE) {
      const page = await this.client.bindings({ limit: GIZWITS_PAGE_SIZE, skip });
      for (const binding of page) if (wanted.has(binding.did)) found.set(binding.did, binding.product_key);
      if (page.length < GIZWITS_PAGE_SIZE) break;
    }
    const unbound = [...wanted].filter((did) => !found.has(did));
    if (unbound.length > 0) {
      throw new VendorError('gizwits', 'invalid', '9017', `not bound to this account: ${unbound.join(', ')}`);
    }
    return found;
  }
}

function schedulerToSchedule(scheduler: GizwitsScheduler): VendorSchedule {
  const weekly = scheduler.repeat !== 'none';
  return {
    vendorTaskId: SCHEDULER_PREFIX + scheduler.id,
    createdAt: scheduler.created_at,
    time: scheduler.time,
    ...(weekly ? { weekdays: scheduler.repeat.split(',') as VendorSchedule['weekdays'] } : { date: scheduler.date }),
    controls: scheduler.task.map(({ did, attrs }) => ({ vendorRef: did, attrs })),
    retryCount: scheduler.retry_count,
    retryScope: scheduler.retry_task,
  };
}
