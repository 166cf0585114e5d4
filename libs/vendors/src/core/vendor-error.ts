import type { VendorName } from '@fleetgate/domain';

/** The normalized kinds of vendor failure; each keeps the vendor's own code and message. */
export const VENDOR_ERROR_KINDS = [
  'not_found',
  'invalid',
  'unauthorized',
  'rate_limited',
  'unavailable',
  'timeout',
  'unsupported',
  'vendor_error',
] as const;
export type VendorErrorKind = (typeof VENDOR_ERROR_KINDS)[number];

/** Kinds that another attempt may cure. The rest end a job at once. */
const TRANSIENT: ReadonlySet<VendorErrorKind> = new Set(['rate_limited', 'unavailable', 'timeout']);

export class VendorError extends Error {
  constructor(
    readonly vendor: VendorName,
    readonly kind: VendorErrorKind,
    /** The vendor's own code (`110028`, `40301`, an HTTP status), as a string. */
    readonly vendorCode: string,
    /** The vendor's own message. */
    readonly vendorMessage: string,
    /** From a 429's Retry-After, when the vendor sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`${vendor} ${kind}: ${vendorMessage} (${vendorCode})`);
    this.name = 'VendorError';
  }

  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }

  static unsupported(vendor: VendorName, capability: string): VendorError {
    return new VendorError(vendor, 'unsupported', 'capability', `${vendor} does not support ${capability}`);
  }
}
