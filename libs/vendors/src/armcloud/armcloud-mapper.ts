import type { DeviceStatus, TaskStatus, VendorDevice } from '@fleetgate/domain';
import type { VendorEvent, VendorTaskProgress } from '../core/vendor-adapter';
import { VendorError } from '../core/vendor-error';
import type { ArmcloudPadDetail, ArmcloudPadTaskDetail } from './armcloud-wire';

/**
 * The document's task status codes (task centre, syncCmd and callbacks):
 * -1 total failure, -2 partial failure, -3 cancelled, -4 timeout, 1 pending, 2 in progress, 3 complete.
 */
export const ARMCLOUD_TASK_STATUS: Readonly<Record<number, TaskStatus>> = {
  1: 'pending',
  2: 'running',
  3: 'succeeded',
  [-1]: 'failed',
  [-2]: 'partially_failed',
  [-3]: 'cancelled',
  [-4]: 'timed_out',
};

/** Instance status (padStatus) as the document lists it. */
export const ARMCLOUD_PAD_STATUS = {
  running: 10,
  restarting: 11,
  resetting: 12,
  upgrading: 13,
  exception: 14,
  notReady: 15,
  upgradingAlt: 16,
} as const;

/** A task status code as a TaskStatus; undefined for a code the document does not define. */
export function taskStatusFromCode(code: unknown): TaskStatus | undefined {
  const number = typeof code === 'string' && code.trim() !== '' ? Number(code) : code;
  return typeof number === 'number' ? ARMCLOUD_TASK_STATUS[number] : undefined;
}

/**
 * padStatus alone (the instance state callback has no online flag): 10 running is online; restarting,
 * resetting, upgrading and not ready are busy (the pad is coming back); 14 exception is offline.
 */
export function deviceStatusFromPadStatus(padStatus: unknown): DeviceStatus {
  switch (Number(padStatus)) {
    case ARMCLOUD_PAD_STATUS.running:
      return 'online';
    case ARMCLOUD_PAD_STATUS.restarting:
    case ARMCLOUD_PAD_STATUS.resetting:
    case ARMCLOUD_PAD_STATUS.upgrading:
    case ARMCLOUD_PAD_STATUS.notReady:
    case ARMCLOUD_PAD_STATUS.upgradingAlt:
      return 'busy';
    case ARMCLOUD_PAD_STATUS.exception:
      return 'offline';
    default:
      return 'unknown';
  }
}

/** `online: 0` wins over padStatus: an offline pad is offline whatever its last status. */
export function deviceStatusFromPad(pad: Pick<ArmcloudPadDetail, 'online' | 'padStatus'>): DeviceStatus {
  if (pad.online !== undefined && Number(pad.online) === 0) return 'offline';
  return deviceStatusFromPadStatus(pad.padStatus);
}

export function padToVendorDevice(pad: ArmcloudPadDetail): VendorDevice {
  return {
    vendor: 'armcloud',
    vendorRef: pad.padCode,
    name: pad.padCode,
    status: deviceStatusFromPad(pad),
    model: pad.deviceLevel,
    attributes: {
      imageId: pad.imageId,
      deviceLevel: pad.deviceLevel,
      padStatus: pad.padStatus,
      online: pad.online,
      deviceStatus: pad.deviceStatus,
      streamStatus: pad.streamStatus,
      dataSize: pad.dataSize,
      dataSizeUsed: pad.dataSizeUsed,
      dcInfo: pad.dcInfo,
    },
  };
}

/** A task centre row as progress; throws for a status code the document does not define. */
export function padTaskDetailToProgress(detail: ArmcloudPadTaskDetail): VendorTaskProgress {
  const status = taskStatusFromCode(detail.taskStatus);
  if (!status) {
    throw new VendorError(
      'armcloud',
      'vendor_error',
      'unknown_task_status',
      `task ${detail.taskId} has status ${String(detail.taskStatus)}`,
    );
  }
  const failed =
    status === 'failed' || status === 'partially_failed' || status === 'timed_out' || status === 'cancelled';
  return {
    vendorTaskId: String(detail.taskId),
    vendorRef: detail.padCode ?? undefined,
    status,
    vendorStatus: Number(detail.taskStatus),
    result: detail.taskResult ?? undefined,
    error: failed
      ? { code: String(detail.taskStatus), message: detail.errorMsg || detail.taskResult || status }
      : undefined,
  };
}

// Callbacks

type CallbackBody = Record<string, unknown>;

function invalidCallback(message: string): VendorError {
  return new VendorError('armcloud', 'invalid', 'callback', message);
}

function requireTaskId(body: CallbackBody): string {
  const taskId = body.taskId;
  if (
    (typeof taskId === 'number' && Number.isInteger(taskId)) ||
    (typeof taskId === 'string' && /^\d+$/.test(taskId))
  ) {
    return String(taskId);
  }
  throw invalidCallback('taskId must be an integer');
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function progressEvent(progress: VendorTaskProgress): VendorEvent {
  return { kind: 'task.progress', progress };
}

function fromTaskStatus(body: CallbackBody, vendorRef: string | undefined, result: unknown): VendorEvent {
  const status = taskStatusFromCode(body.taskStatus);
  if (!status) throw invalidCallback(`unknown taskStatus ${String(body.taskStatus)}`);
  const failed = status !== 'pending' && status !== 'running' && status !== 'succeeded';
  return progressEvent({
    vendorTaskId: requireTaskId(body),
    vendorRef,
    status,
    vendorStatus: Number(body.taskStatus),
    result,
    error: failed ? { code: String(body.taskStatus), message: optionalString(body.taskResult) ?? status } : undefined,
  });
}

function isObject(value: unknown): value is CallbackBody {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** A boolean result (instance file upload, application install / uninstall) as a final status. */
function fromBooleanResult(
  body: CallbackBody,
  vendorRef: string | undefined,
  ok: boolean,
  result: unknown,
): VendorEvent {
  const errorCode = optionalString(body.errorCode);
  return progressEvent({
    vendorTaskId: requireTaskId(body),
    vendorRef,
    status: ok ? 'succeeded' : 'failed',
    vendorStatus: String(ok),
    result,
    error: ok
      ? undefined
      : {
          code: errorCode ?? 'failed',
          message: errorCode ? `ArmCloud error ${errorCode}` : 'the vendor reported failure',
        },
  });
}

/**
 * Turns one callback body into events. The document gives every callback type a different field set
 * and no type marker, so the type is told by its fields:
 *   instance state            {padStatus, padCode}                       → device.status
 *   cloud machine status      {deviceStatus, deviceCode}                 → none (a physical machine is not a Fleetgate device; its pads send their own instance state callbacks)
 *   install / uninstall       {taskId, apps: [{..., padCode, result}] or {..., padCode}, result?} → task.progress,
 *                             succeeded when `result` and every app's result are true
 *   instance file upload      {taskId, result, errorCode, padCode, fileId} → task.progress
 *   every other task callback {taskId, taskStatus, padCode?, ...}         → task.progress (ADB command, app start/stop/restart,
 *                             app list, file upload to the centre, restart/reset, image upgrade, blacklist)
 */
export function callbackToEvents(raw: unknown): VendorEvent[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw invalidCallback('the callback body must be a JSON object');
  const body = raw as CallbackBody;
  const padCode = optionalString(body.padCode);

  if (body.taskId === undefined) {
    if (body.padStatus !== undefined) {
      if (!padCode) throw invalidCallback('an instance state callback needs padCode');
      return [{ kind: 'device.status', vendorRef: padCode, status: deviceStatusFromPadStatus(body.padStatus) }];
    }
    if (body.deviceStatus !== undefined && optionalString(body.deviceCode)) return [];
    throw invalidCallback('unrecognised callback: no taskId, padStatus or deviceStatus');
  }

  // Install: `apps` a list with a result per app. Uninstall as its table types it: `apps` one object,
  // `result` beside it. Both carry the pad inside the app.
  const appsField = Array.isArray(body.apps) ? body.apps : isObject(body.apps) ? [body.apps] : undefined;
  if (appsField && body.taskStatus === undefined) {
    const apps = appsField.filter((app): app is CallbackBody => isObject(app));
    const appResults = apps.map((app) => app.result).filter((result): result is boolean => typeof result === 'boolean');
    const ok =
      typeof body.result === 'boolean'
        ? body.result && appResults.every(Boolean)
        : appResults.length > 0 && appResults.every(Boolean);
    const ref = padCode ?? apps.map((app) => optionalString(app.padCode)).find(Boolean);
    return [fromBooleanResult(body, ref, ok, { apps })];
  }
  if (body.taskStatus === undefined && typeof body.result === 'boolean') {
    return [fromBooleanResult(body, padCode, body.result, { fileId: body.fileId })];
  }
  if (body.taskStatus !== undefined) {
    const result =
      body.cmdResult !== undefined
        ? body.cmdResult
        : Array.isArray(body.apps)
          ? { apps: body.apps }
          : body.fileUniqueId !== undefined
            ? { fileUniqueId: body.fileUniqueId, originFileUrl: body.originFileUrl }
            : (body.taskResult ?? undefined);
    return [fromTaskStatus(body, padCode, result)];
  }
  throw invalidCallback(`task callback ${String(body.taskId)} carries neither taskStatus nor result`);
}
