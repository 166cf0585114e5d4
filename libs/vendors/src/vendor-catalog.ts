import { armcloudVendor } from './armcloud/armcloud.definition';
import type { VendorDefinition } from './core/vendor-definition';
import { easyclickVendor } from './easyclick/easyclick.definition';
import { gizwitsVendor } from './gizwits/gizwits.definition';
import { tikmatrixVendor } from './tikmatrix/tikmatrix.definition';

/**
 * Every vendor this build speaks to. A new vendor is its folder under libs/vendors/src and one line here.
 */
export const VENDOR_CATALOG: readonly VendorDefinition[] = [
  armcloudVendor,
  easyclickVendor,
  gizwitsVendor,
  tikmatrixVendor,
];
