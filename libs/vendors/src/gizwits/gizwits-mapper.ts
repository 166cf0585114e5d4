import type { TaskStatus, VendorDevice } from '@fleetgate/domain';
import type { VendorTaskProgress } from '../core/vendor-adapter';
import type { VendorErrorKind } from '../core/vendor-error';
import type { GizwitsBinding, GizwitsLatestData, GizwitsSchedulerLog } from './gizwits-client';

/** The token is invalid or expired: sign in again. */
export const GIZWITS_TOKEN_INVALID = 9004;
/** The device is offline: a control cannot reach it now. */
export const GIZWITS_DEVICE_OFFLINE = 9016;
/** No such scheduler, or (on its logs) it has not run yet. */
export const GIZWITS_SCHEDULER_NOT_FOUND = 9022;

/**
 * Gizwits error codes → normalized kinds. The document's error-code section is empty; these are the
 * codes of Gizwits' public API as its SDKs know them (see README.md). Unknown codes fall back on the
 * HTTP status.
 */
export const GIZWITS_ERROR_KINDS: Readonly<Record<number, VendorErrorKind>> = {
  9001: 'unauthorized', // application id invalid
  [GIZWITS_TOKEN_INVALID]: 'unauthorized',
  9005: 'unauthorized', // user not found (the account's sign-in)
  9010: 'invalid', // captcha or SMS code wrong
  9014: 'not_found', // device not found
  9015: 'invalid', // form invalid
  [GIZWITS_DEVICE_OFFLINE]: 'unavailable',
  9017: 'invalid', // device not bound to the account's user
  9018: 'invalid', // user exists
  9020: 'unauthorized', // wrong password
  [GIZWITS_SCHEDULER_NOT_FOUND]: 'not_found',
  9025: 'unauthorized', // app auth signature wrong
  9041: 'invalid', // data point invalid (not writable, wrong type or range)
  9999: 'unavailable', // internal error
};

export function errorKindOf(code: number, httpStatus: number): VendorErrorKind {
  const known = GIZWITS_ERROR_KINDS[code];
  if (known) return known;
  if (httpStatus === 404) return 'not_found';
  if (httpStatus === 401 || httpStatus === 403) return 'unauthorized';
  if (httpStatus >= 500) return 'unavailable';
  return httpStatus >= 400 ? 'invalid' : 'vendor_error';
}

/** A bound device as Fleetgate's device. The passcode is a binding credential and is not kept. */
export function bindingToVendorDevice(binding: GizwitsBinding): VendorDevice {
  return {
    vendor: 'gizwits',
    vendorRef: binding.did,
    name: binding.remark || binding.did,
    status: binding.is_disabled ? 'offline' : binding.is_online ? 'online' : 'offline',
    model: binding.product_key,
    attributes: {
      productKey: binding.product_key,
      mac: binding.mac,
      type: binding.type,
      disabled: binding.is_disabled,
      host: binding.host,
      port: binding.port,
    },
  };
}

/** What a device last reported, merged into its attributes. */
export function latestDataAttributes(latest: GizwitsLatestData): Record<string, unknown> {
  return { dataPoints: latest.attr, dataUpdatedAt: latest.updated_at };
}

/**
 * A scheduler run → status: `succeed` when every control was sent; `failed` with some sent is
 * partially_failed, with none sent failed. A scheduler that has not run yet (9022 on its logs) is pending.
 */
export function schedulerLogStatus(log: GizwitsSchedulerLog): TaskStatus {
  if (log.status === 'succeed') return 'succeeded';
  const sent = Object.values(log.detail ?? {});
  return sent.some(Boolean) ? 'partially_failed' : 'failed';
}

/** A scheduler run as progress of the task `scheduler:<id>`, with each device's outcome in the result. */
export function schedulerLogToProgress(vendorTaskId: string, log: GizwitsSchedulerLog): VendorTaskProgress {
  const status = schedulerLogStatus(log);
  const failedDids = Object.entries(log.detail ?? {})
    .filter(([, sent]) => !sent)
    .map(([did]) => did);
  return {
    vendorTaskId,
    status,
    vendorStatus: log.status,
    result: { ranAt: log.datetime, detail: log.detail },
    ...(failedDids.length > 0
      ? { error: { code: log.status, message: `control not sent to ${failedDids.join(', ')}` } }
      : {}),
  };
}
