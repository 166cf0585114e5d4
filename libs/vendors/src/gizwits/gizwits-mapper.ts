import type { TaskStatus, VendorDevice } from '@fleetgate/domain';
import type { VendorTaskProgress } from '../core/vendor-adapter';
import type { VendorErrorKind } from '../core/vendor-error';
import type { GizwitsBinding, GizwitsLatestData, GizwitsSchedulerLog } from './gizwits-client';

/** Codes the client and adapter act on, from the public GizWifiSDK Open API table (GizWifiErrorCode). */
export const GIZWITS_CODES = {
  /** The token is not one Gizwits knows: sign in again. */
  tokenInvalid: 9004,
  /** The token's time is up: sign in again. */
  tokenExpired: 9006,
  /** No such scheduler (deleted, or another user's). */
  schedulerNotFound: 9030,
  /** Too many requests: back off. */
  throttled: 9041,
  /** The device is offline: a control cannot reach it now. */
  deviceOffline: 9042,
} as const;

/**
 * Every code of Gizwits' public Open API error table (9001-9046 and 9999, the GizWifiSDK's
 * GizWifiErrorCode; the document's own error-code section is empty) → its name and normalized kind.
 * Codes outside it (sharing, groups, scenes: calls Fleetgate does not make) fall back on the HTTP status.
 */
export const GIZWITS_ERRORS: Readonly<Record<number, { name: string; kind: VendorErrorKind }>> = {
  9001: { name: 'mac already registered', kind: 'invalid' },
  9002: { name: 'product_key invalid', kind: 'invalid' },
  9003: { name: 'appid invalid', kind: 'unauthorized' },
  // After one new sign-in (the client's userCall); a refusal that persists is the account's.
  9004: { name: 'token invalid', kind: 'unauthorized' },
  9005: { name: 'user not exist', kind: 'unauthorized' },
  9006: { name: 'token expired', kind: 'unauthorized' },
  9007: { name: 'm2m_id invalid', kind: 'invalid' },
  9008: { name: 'server error', kind: 'unavailable' },
  9009: { name: 'code expired', kind: 'invalid' },
  9010: { name: 'code invalid', kind: 'invalid' },
  // Quotas a person raises in the Gizwits console: nothing another attempt can cure.
  9011: { name: 'sandbox scale quota exhausted', kind: 'unauthorized' },
  9012: { name: 'production scale quota exhausted', kind: 'unauthorized' },
  9013: { name: 'product has no request scale', kind: 'unauthorized' },
  9014: { name: 'device not found', kind: 'not_found' },
  9015: { name: 'form invalid', kind: 'invalid' },
  // The did, or the passcode Gizwits holds for the binding, does not match the device: that device's problem.
  9016: { name: 'did or passcode invalid', kind: 'invalid' },
  9017: { name: 'device not bound', kind: 'invalid' },
  9018: { name: 'phone unavailable', kind: 'invalid' },
  9019: { name: 'username unavailable', kind: 'invalid' },
  9020: { name: 'username or password error', kind: 'unauthorized' },
  9021: { name: 'send command failed', kind: 'unavailable' },
  9022: { name: 'email unavailable', kind: 'invalid' },
  9023: { name: 'device is disabled', kind: 'invalid' },
  9024: { name: 'fail to notify m2m', kind: 'unavailable' },
  // A data point the device does not have, cannot write, or a value out of its type or range.
  9025: { name: 'attr invalid', kind: 'invalid' },
  9026: { name: 'user invalid', kind: 'unauthorized' },
  9027: { name: 'firmware not found', kind: 'not_found' },
  9028: { name: 'JD product info not found', kind: 'not_found' },
  9029: { name: 'datapoint data not found', kind: 'not_found' },
  9030: { name: 'scheduler not found', kind: 'not_found' },
  9031: { name: 'qq oauth key invalid', kind: 'invalid' },
  9032: { name: 'ota upgrade service idle or disabled', kind: 'invalid' },
  9033: { name: 'bt firmware unverified', kind: 'invalid' },
  9034: { name: 'bt firmware has nothing to upgrade', kind: 'invalid' },
  9035: { name: 'save kairosdb error', kind: 'unavailable' },
  9036: { name: 'event not defined', kind: 'invalid' },
  9037: { name: 'send sms failed', kind: 'unavailable' },
  9038: { name: 'X-Gizwits-Application-Auth invalid', kind: 'unauthorized' },
  9039: { name: 'not allowed to call deprecated API', kind: 'unsupported' },
  9040: { name: 'bad qrcode content', kind: 'invalid' },
  9041: { name: 'request was throttled', kind: 'rate_limited' },
  // Marked deviceOffline by the client: the task engine waits for the device instead of retrying now.
  9042: { name: 'device offline', kind: 'unavailable' },
  9043: { name: 'X-Gizwits-Timestamp invalid', kind: 'unauthorized' },
  9044: { name: 'X-Gizwits-Signature invalid', kind: 'unauthorized' },
  9045: { name: 'API deprecated', kind: 'unsupported' },
  9046: { name: 'register already in progress', kind: 'unavailable' },
  9999: { name: 'reserved', kind: 'vendor_error' },
};

export function errorKindOf(code: number, httpStatus: number): VendorErrorKind {
  const known = GIZWITS_ERRORS[code];
  if (known) return known.kind;
  if (httpStatus === 404) return 'not_found';
  if (httpStatus === 401 || httpStatus === 403) return 'unauthorized';
  if (httpStatus === 429) return 'rate_limited';
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
 * partially_failed, with none sent failed.
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
