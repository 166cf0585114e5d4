import type { AdapterCapability } from '../core/vendor-adapter';

/**
 * EasyClick runs scripts as cloud tasks on devices: start and stop a task with devices, add and
 * remove devices and typed parameters, follow each device's run, take a device off its task
 * (cancel). It has no device inventory of its own (devices appear only on tasks), no device
 * settings or apps, and no callbacks.
 */
export const EASYCLICK_CAPABILITIES: ReadonlySet<AdapterCapability> = new Set<AdapterCapability>([
  'script.start',
  'script.stop',
  'script.devices.add',
  'script.devices.remove',
  'script.params.add',
  'script.params.remove',
  'tasks.poll',
  'tasks.cancel',
]);
