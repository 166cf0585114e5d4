import type { TaskStatus } from '@fleetgate/domain';
import type { VendorErrorKind } from '../core/vendor-error';

/**
 * execStatus of an EasyClick task. The document shows only 1 (running); the others are read as the
 * simulator's README explains: 0 idle, 2 stopped locally (devices finish their run), 3 stopped remotely.
 */
export const EASYCLICK_EXEC_STATUS = { idle: 0, running: 1, stoppedLocal: 2, stoppedRemote: 3 } as const;

/**
 * One device's state within an EasyClick task. Devices take themselves off a task when their run
 * ends (the document's order flow), so a device that has left the task has finished.
 */
export function deviceRunStatus(execStatus: number, deviceOnTask: boolean): TaskStatus {
  if (!deviceOnTask) return 'succeeded';
  switch (execStatus) {
    case EASYCLICK_EXEC_STATUS.running:
    case EASYCLICK_EXEC_STATUS.stoppedLocal:
      return 'running';
    case EASYCLICK_EXEC_STATUS.stoppedRemote:
      return 'cancelled';
    default:
      return 'pending';
  }
}

/** `{code, msg}` codes (HTTP-like, as the cloud's RuoYi back office answers) → normalized kinds. */
export function errorKindOf(code: number): VendorErrorKind {
  if (code === 401 || code === 403) return 'unauthorized';
  if (code === 404) return 'not_found';
  if (code === 400 || code === 409 || code === 422) return 'invalid';
  if (code === 429) return 'rate_limited';
  if (code >= 500 && code < 600) return 'unavailable';
  return 'vendor_error';
}

/** Fleetgate's parameter kinds → EasyClick's `type` ("1" text, "2" single choice, "3" multiple choice). */
export const EASYCLICK_PARAM_TYPE: Readonly<Record<string, '1' | '2' | '3'>> = {
  text: '1',
  single: '2',
  multiple: '3',
};

/** A target's vendor task id: the EasyClick task and the device, since one task carries many devices. */
export function targetTaskId(taskId: string | number, deviceNo: string): string {
  return `${taskId}:${deviceNo}`;
}

export function parseTargetTaskId(id: string): { taskId: string; deviceNo: string } | undefined {
  const at = id.indexOf(':');
  if (at <= 0 || at === id.length - 1) return undefined;
  return { taskId: id.slice(0, at), deviceNo: id.slice(at + 1) };
}

/** deviceNos is "001,002"; the simulator also answers arrays. */
export function deviceNosOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value.trim() === '') return [];
  return value
    .split(',')
    .map((device) => device.trim())
    .filter(Boolean);
}
