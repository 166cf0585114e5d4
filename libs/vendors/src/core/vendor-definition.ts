import type { VendorName } from '@fleetgate/domain';
import type { VendorAccountConfig } from './vendor-account';
import type { AdapterCapability, VendorAdapter } from './vendor-adapter';
import type { VendorTransport } from './vendor-transport';

export interface CredentialField {
  name: string;
  /** Secret fields are encrypted at rest and never returned by the API. */
  secret: boolean;
  /** May be left out when an account is created. */
  optional?: boolean;
  description: string;
}

/**
 * Everything Fleetgate needs to know about one vendor, exported by the vendor's folder. The registry
 * collects these; nothing outside a vendor's folder knows vendor specifics.
 */
export interface VendorDefinition {
  vendor: VendorName;
  displayName: string;
  credentialFields: readonly CredentialField[];
  capabilities: ReadonlySet<AdapterCapability>;
  /** Default requests per second for a new account, from the vendor's documented limits. */
  defaultRateLimitPerSecond: number;
  createAdapter(account: VendorAccountConfig, transport: VendorTransport): VendorAdapter;
}
