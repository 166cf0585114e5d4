import type { AdapterCapability } from '../core/vendor-adapter';

/**
 * TikMatrix runs scripts on phones and accounts; its API has no device inventory, no device settings
 * and no callbacks, so those capabilities are absent (and refused), not faked.
 */
export const TIKMATRIX_CAPABILITIES: ReadonlySet<AdapterCapability> = new Set<AdapterCapability>([
  'script.start',
  'script.stop',
  'tasks.poll',
  'tasks.cancel',
]);
