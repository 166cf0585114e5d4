import type { VendorDefinition } from '../core/vendor-definition';
import { GizwitsAdapter } from './gizwits-adapter';
import { GIZWITS_CAPABILITIES } from './gizwits-capabilities';
import { GizwitsClient } from './gizwits-client';

export const gizwitsVendor: VendorDefinition = {
  vendor: 'gizwits',
  displayName: 'Gizwits IoT',
  credentialFields: [
    { name: 'appId', secret: false, description: 'Application id (X-Gizwits-Application-Id)' },
    {
      name: 'appSecret',
      secret: true,
      optional: true,
      description: 'Application secret, for the app token (optional)',
    },
    {
      name: 'username',
      secret: false,
      description: 'The Gizwits user Fleetgate signs in as (username, e-mail or phone)',
    },
    { name: 'password', secret: true, description: 'That user’s password' },
  ],
  capabilities: GIZWITS_CAPABILITIES,
  // The document states no limit; controls are one request per device, so this keeps bursts polite.
  defaultRateLimitPerSecond: 10,
  createAdapter: (account, transport) => new GizwitsAdapter(new GizwitsClient(account, transport)),
};
