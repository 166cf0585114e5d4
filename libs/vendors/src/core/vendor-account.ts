import type { VendorName } from '@fleetgate/domain';

/**
 * One account at a vendor, as an adapter needs it: where to call, with which credentials (already
 * decrypted, in memory only), and within which limits.
 */
export interface VendorAccountConfig {
  id: string;
  vendor: VendorName;
  baseUrl: string;
  /** Vendor-specific fields; each vendor's definition lists and validates them. */
  credentials: Record<string, string>;
  /** Requests per second allowed to this account, across every Fleetgate process. */
  rateLimitPerSecond: number;
  /** Per-request timeout. */
  timeoutMs: number;
}
