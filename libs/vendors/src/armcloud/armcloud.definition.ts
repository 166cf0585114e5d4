import type { VendorDefinition } from '../core/vendor-definition';
import { ArmcloudAdapter } from './armcloud-adapter';
import { ARMCLOUD_CAPABILITIES } from './armcloud-capabilities';
import { ArmcloudClient } from './armcloud-client';

export const armcloudVendor: VendorDefinition = {
  vendor: 'armcloud',
  displayName: 'ArmCloud',
  credentialFields: [
    {
      name: 'accessKeyId',
      secret: false,
      description: 'Access Key ID (AK) issued by ArmCloud; sent in the authorization header',
    },
    {
      name: 'secretAccessKey',
      secret: true,
      description: 'Secret Access Key (SK); signs every request (HMAC-SHA256), never sent',
    },
    {
      name: 'host',
      secret: false,
      optional: true,
      description:
        'Optional: the x-host value and signed host; by default the base URL’s host (the document names openapi.armcloud.net)',
    },
  ],
  capabilities: ARMCLOUD_CAPABILITIES,
  // The document states no request rate limit; 10 per second is a conservative default per account.
  defaultRateLimitPerSecond: 10,
  createAdapter: (account, transport) => new ArmcloudAdapter(new ArmcloudClient(account, transport)),
};
