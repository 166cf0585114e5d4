import type { AdapterCapability } from '../core/vendor-adapter';

/**
 * Gizwits controls IoT devices by data points or raw bytes, lists the devices bound to the account's
 * user, reads their latest data, and keeps schedulers of controls (polled through their run logs,
 * cancelled by deletion). It has no apps, files, shell, settings or scripts, and the document
 * describes no callbacks.
 */
export const GIZWITS_CAPABILITIES: ReadonlySet<AdapterCapability> = new Set<AdapterCapability>([
  'devices.list',
  'devices.get',
  'control.datapoints',
  'control.raw',
  'tasks.poll',
  'tasks.cancel',
  'schedules',
]);
