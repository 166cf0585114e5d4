/**
 * The operations a task can carry. Each is a capability: an adapter declares which it supports, and
 * a request for one it lacks is refused, never silently skipped.
 */
export const OPERATION_TYPES = [
  'device.reboot',
  'device.reset',
  'shell.async',
  'shell.sync',
  'screenshot',
  'app.install',
  'app.uninstall',
  'app.start',
  'app.stop',
  'app.restart',
  'file.push',
  'settings.properties',
  'settings.timezone',
  'settings.language',
  'settings.sim',
  'settings.gps',
  'settings.proxy',
  'settings.adb',
  'control.datapoints',
  'control.raw',
  'script.start',
  'script.stop',
  'script.devices.add',
  'script.devices.remove',
  'script.params.add',
  'script.params.remove',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** Parameters of each operation type, as accepted by POST /tasks and handed to adapters. */
export interface OperationParams {
  'device.reboot': Record<string, never>;
  'device.reset': Record<string, never>;
  'shell.async': { command: string };
  'shell.sync': { command: string };
  screenshot: { rotation?: number; definition?: number };
  /** `artifactId` names an app of the catalog; the gateway fills url, md5 and packageName from it. */
  'app.install': { url: string; packageName?: string; md5?: string; artifactId?: string };
  'app.uninstall': { packageName: string };
  'app.start': { packageName: string };
  'app.stop': { packageName: string };
  'app.restart': { packageName: string };
  'file.push': { url: string; fileName?: string; targetPath?: string; md5?: string; artifactId?: string };
  'settings.properties': { properties: Record<string, string> };
  'settings.timezone': { timeZone: string };
  'settings.language': { language: string; country?: string };
  'settings.sim': { properties: Record<string, string> };
  'settings.gps': { latitude: number; longitude: number; altitude?: number };
  'settings.proxy': { host?: string; port?: number; username?: string; password?: string; enabled: boolean };
  'settings.adb': { enabled: boolean };
  'control.datapoints': { attrs: Record<string, boolean | number | string> };
  'control.raw': { raw: number[] };
  'script.start': { script: string; config?: Record<string, unknown>; usernames?: string[]; taskId?: string };
  'script.stop': { taskId: string; mode?: 'local' | 'remote' };
  'script.devices.add': { taskId: string };
  'script.devices.remove': { taskId: string };
  'script.params.add': {
    taskId: string;
    /** type: text, single (choice) or multiple (choice); options for the choices. */
    params: Array<{ name: string; type: string; value: unknown; options?: string[] }>;
  };
  'script.params.remove': { taskId: string; names: string[] };
}

export type Operation = { [T in OperationType]: { type: T; params: OperationParams[T] } }[OperationType];

/**
 * Operations that do no harm when a device receives them twice (setting a value, stopping, reading).
 * Only these are sent again when a dispatch may or may not have reached the vendor (a worker died
 * after sending, a request timed out); the others are settled as failed instead of risking a second
 * reboot, install or script run.
 */
const REPEATABLE: ReadonlySet<OperationType> = new Set<OperationType>([
  'screenshot',
  'app.stop',
  'app.uninstall',
  'settings.properties',
  'settings.timezone',
  'settings.language',
  'settings.sim',
  'settings.gps',
  'settings.proxy',
  'settings.adb',
  'control.datapoints',
  'script.stop',
  'script.devices.add',
  'script.devices.remove',
  'script.params.add',
  'script.params.remove',
]);

export function isRepeatableOperation(type: OperationType): boolean {
  return REPEATABLE.has(type);
}
