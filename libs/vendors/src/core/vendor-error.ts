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
    options: {
      /** From a 429's Retry-After, when the vendor sent one. */
      retryAfterMs?: number;
      /**
       * The target device is offline (kind unavailable): the vendor itself is fine, so this is not
       * retried at once nor counted towards the account's circuit; the task engine waits for the device instead.
       */
      deviceOffline?: boolean;
    } = {},
  ) {
    super(`${vendor} ${kind}: ${vendorMessage} (${vendorCode})`);
    this.name = 'VendorError';
    this.retryAfterMs = options.retryAfterMs;
    this.deviceOffline = options.deviceOffline ?? false;
  }

  readonly retryAfterMs?: number;
  readonly deviceOffline: boolean;

  /** Another attempt at the vendor may cure it now (timeouts, 5xx, 429, "busy" codes). */
  get transient(): boolean {
    return TRANSIENT.has(this.kind) && !this.deviceOffline;
  }

  /**
   * True when the vendor refused the request as a whole before running any of it (bad credentials, a
   * rate limit, an open circuit), so that a dispatch may be tried again in full without doing anything twice.
   */
  get refusedUpFront(): boolean {
    return this.kind === 'unauthorized' || this.kind === 'rate_limited' || this.vendorCode === 'circuit_open';
  }

  static unsupported(vendor: VendorName, capability: string): VendorError {
    return new VendorError(vendor, 'unsupported', 'capability', `${vendor} does not support ${capability}`);
  }
}
