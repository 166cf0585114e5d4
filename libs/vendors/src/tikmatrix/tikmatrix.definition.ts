import type { VendorDefinition } from '../core/vendor-definition';
import { TikmatrixAdapter } from './tikmatrix-adapter';
import { TIKMATRIX_CAPABILITIES } from './tikmatrix-capabilities';
import { TikmatrixClient } from './tikmatrix-client';

export const tikmatrixVendor: VendorDefinition = {
  vendor: 'tikmatrix',
  displayName: 'TikMatrix',
  // The task API is served by the farm PC itself and documents no authentication.
  credentialFields: [],
  capabilities: TIKMATRIX_CAPABILITIES,
  defaultRateLimitPerSecond: 20,
  createAdapter: (account, transport) => new TikmatrixAdapter(new TikmatrixClient(account, transport)),
};
