import type { Operation, OperationType, TaskStatus, VendorDevice, VendorName } from '@fleetgate/domain';

/** Capabilities beyond operations, so that callers can ask before they try. */
export type AdapterCapability =
  OperationType | 'devices.list' | 'devices.get' | 'tasks.poll' | 'tasks.cancel' | 'callbacks' | 'schedules';

export interface DevicePage {
  devices: VendorDevice[];
  /** Opaque; pass it back for the next page. Absent on the last page. */
  nextCursor?: string;
}

/** What a vendor said about one target of an operation at dispatch time. */
export interface DispatchOutcome {
  vendorRef: string;
  /** The vendor's task reference to poll, when the operation is asynchronous at the vendor. */
  vendorTaskId?: string;
  /**
   * Every vendor task created for this target, when a vendor creates several for one (TikMatrix: one
   * per account on a device); `vendorTaskId` is the first. The target's status derives from all of them.
   */
  vendorTaskIds?: string[];
  status: TaskStatus;
  result?: unknown;
  /** `deviceOffline`: the device could not be reached now; the task engine may wait for it. */
  error?: { code: string; message: string; deviceOffline?: boolean };
}

/** Progress of a vendor task, from polling or a callback. */
export interface VendorTaskProgress {
  vendorTaskId: string;
  vendorRef?: string;
  /**
   * Every reference the vendor names on the task (a TikMatrix task names its device and its account):
   * the entry concerns only a target whose reference is among them. Absent, `vendorRef` decides.
   */
  vendorRefs?: string[];
  status: TaskStatus;
  /** The vendor's own status value, for the record. */
  vendorStatus: string | number;
  result?: unknown;
  error?: { code: string; message: string };
}

/** A normalized event out of a vendor callback. */
export type VendorEvent =
  | { kind: 'task.progress'; progress: VendorTaskProgress }
  | { kind: 'device.status'; vendorRef: string; status: VendorDevice['status']; at?: string };

export interface CallbackRequest {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  rawBody?: string;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A schedule kept by the vendor itself (Gizwits schedulers): data-point controls sent at a UTC time,
 * once on a date or weekly on chosen days, with the vendor's own retries.
 */
export interface VendorScheduleSpec {
  /** "HH:MM", UTC. */
  time: string;
  /** "YYYY-MM-DD" for a one-off schedule; absent for a weekly one. */
  date?: string;
  /** The days a weekly schedule runs; absent or empty for a one-off. */
  weekdays?: Weekday[];
  controls: Array<{ vendorRef: string; attrs: Record<string, boolean | number | string> }>;
  /** 0 to 60 further attempts when a run fails. */
  retryCount?: number;
  /** Resend every control on a retry, or only the ones that failed. */
  retryScope?: 'all' | 'failed';
}

export interface VendorSchedule extends VendorScheduleSpec {
  /** Poll it with pollTasks, remove it with cancelTasks. */
  vendorTaskId: string;
  createdAt?: string;
}

/** Vendor-side schedules, for adapters that declare the `schedules` capability. */
export interface VendorScheduling {
  createSchedule(spec: VendorScheduleSpec): Promise<VendorSchedule>;
  listSchedules(): Promise<VendorSchedule[]>;
}

/**
 * Fleetgate's one view of a vendor account. The gateway and the worker only ever talk to this;
 * each vendor's folder implements it over its own client. A method for a capability the vendor
 * lacks throws VendorError.unsupported, never does nothing.
 */
export interface VendorAdapter {
  readonly vendor: VendorName;
  readonly capabilities: ReadonlySet<AdapterCapability>;

  /** A cheap authenticated call that proves the account works. */
  testConnection(): Promise<void>;
  listDevices(cursor?: string): Promise<DevicePage>;
  getDevice(vendorRef: string): Promise<VendorDevice>;
  /** Runs one operation on targets, in the vendor's batch sizes; one outcome per target. */
  dispatch(operation: Operation, vendorRefs: string[]): Promise<DispatchOutcome[]>;
  /** Reads the state of vendor tasks. */
  pollTasks(vendorTaskIds: string[]): Promise<VendorTaskProgress[]>;
  cancelTasks(vendorTaskIds: string[]): Promise<void>;
  /**
   * The vendor tasks (ids as `pollTasks` takes them) that this operation, sent to these targets, ends
   * by Fleetgate's own hand (a stop, a device taken off its run). The dispatcher records the targets
   * following them as cancelled before sending, since the vendor's own record of such a run may read
   * as a success or a failure. Absent, or empty, when the operation ends no run.
   */
  endedVendorTasks?(operation: Operation, vendorRefs: string[]): string[];
  /** Checks a callback's authenticity where the vendor has a way, and turns it into events. */
  parseCallback(request: CallbackRequest): VendorEvent[];
  /** Present exactly when the adapter declares `schedules`. */
  readonly scheduling?: VendorScheduling;
}

export function supports(adapter: VendorAdapter, capability: AdapterCapability): boolean {
  return adapter.capabilities.has(capability);
}
