import type { VendorName } from '@fleetgate/domain';
import { InProcessRateLimiter } from './rate-limiter';
import type { VendorAccountConfig } from './vendor-account';
import { VendorTransport, type VendorTransportOptions } from './vendor-transport';

/**
 * What every adapter spec needs against its simulator: an account, a transport, and a fetch that
 * records the exact requests (for contract tests and retry counts). Used by specs only.
 */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export function recordingFetch(): { requests: RecordedRequest[]; impl: typeof fetch } {
  const requests: RecordedRequest[] = [];
  const impl: typeof fetch = async (input, init) => {
    requests.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: { ...((init?.headers ?? {}) as Record<string, string>) },
      body: init?.body as string | undefined,
    });
    return fetch(input, init);
  };
  return { requests, impl };
}

export function testAccount(
  vendor: VendorName,
  baseUrl: string,
  credentials: Record<string, string>,
  overrides: Partial<VendorAccountConfig> = {},
): VendorAccountConfig {
  return {
    id: `${vendor}-1`,
    vendor,
    baseUrl,
    credentials,
    rateLimitPerSecond: 1000,
    // Generous: a loaded CI machine must not turn a slow answer into a failure (hang tests set their own).
    timeoutMs: 10_000,
    ...overrides,
  };
}

/** A transport with an in-process limiter and a circuit that stays open for the test's length. */
export function testTransport(
  account: VendorAccountConfig,
  options: Partial<VendorTransportOptions> = {},
): VendorTransport {
  return new VendorTransport({
    account,
    rateLimiter: new InProcessRateLimiter(),
    breakerHalfOpenAfterMs: 60_000,
    ...options,
  });
}
