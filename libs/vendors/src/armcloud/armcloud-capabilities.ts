import type { AdapterCapability } from '../core/vendor-adapter';

/**
 * What ArmCloud's OpenAPI can do for Fleetgate. Absent on purpose: control.* (Gizwits data points)
 * and script.* (EasyClick / TikMatrix scripts) have no ArmCloud counterpart, and tasks.cancel has no
 * endpoint in the document (its task status -3 "cancelled" exists, but nothing to request it).
 */
export const ARMCLOUD_CAPABILITIES: ReadonlySet<AdapterCapability> = new Set<AdapterCapability>([
  'devices.list',
  'devices.get',
  'tasks.poll',
  'callbacks',
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
]);
