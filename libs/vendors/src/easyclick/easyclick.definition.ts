import type { VendorDefinition } from '../core/vendor-definition';
import { EasyclickAdapter } from './easyclick-adapter';
import { EASYCLICK_CAPABILITIES } from './easyclick-capabilities';
import { EasyclickClient } from './easyclick-client';

export const easyclickVendor: VendorDefinition = {
  vendor: 'easyclick',
  displayName: 'EasyClick cloud control',
  credentialFields: [
    {
      name: 'dataSecret',
      secret: true,
      optional: true,
      description: 'The API secret (config.toml appkey; the document’s default is test123), sent in each body',
    },
    {
      name: 'noLimitToken',
      secret: true,
      optional: true,
      description: 'config.toml no_limit_token, sent as the no_limit_token header (instead of, or with, dataSecret)',
    },
  ],
  capabilities: EASYCLICK_CAPABILITIES,
  // The cloud is one self-hosted server the document sets no limit for; a few calls a second are plenty.
  defaultRateLimitPerSecond: 5,
  createAdapter: (account, transport) => new EasyclickAdapter(new EasyclickClient(account, transport)),
};
