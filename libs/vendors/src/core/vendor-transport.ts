import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  BrokenCircuitError,
  CircuitState,
  type IPolicy,
} from 'cockatiel';
import type { VendorName } from '@fleetgate/domain';
import { OutboundRequestError, readCappedText } from '@fleetgate/platform';
import type { VendorAccountConfig } from './vendor-account';
import { VendorError } from './vendor-error';
import type { RateLimiter, RateSlot } from './rate-limiter';

/** A Retry-After longer than this is capped: a vendor asking for an hour should not stall a worker that long. */
const MAX_RETRY_AFTER_MS = 60_000;
/**
 * The longest a request waits for a slot under its account's rate limit before it is given up as
 * rate limited (nothing sent, so a dispatch puts its targets back and its job is tried again later).
 */
const MAX_SLOT_WAIT_MS = 60_000;
/** Largest vendor answer read unless the transport is given its own limit (OUTBOUND_MAX_RESPONSE_BYTES). */
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/**
 * How long past its timeout a request may still hold its rate-limit slot when its answer is never
 * recorded (the process died): the time between taking the slot and the timeout starting, with room.
 */
const SLOT_HOLD_SLACK_MS = 5_000;

export interface VendorRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON unless `rawBody` is given. */
  body?: unknown;
  /** The exact bytes to send, for vendors that sign the body. */
  rawBody?: string;
  headers?: Record<string, string>;
  /**
   * True only when sending the request twice does no harm (reads, status polls, setting a value).
   * Only these are retried; a reboot or an install is never sent again by the transport.
   */
  idempotent: boolean;
}

export interface VendorResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body (undefined for an empty body). */
  body: unknown;
}

/** Observes every call, for metrics. */
export type VendorCallObserver = (call: {
  vendor: VendorName;
  accountId: string;
  outcome: string;
  seconds: number;
}) => void;

export interface VendorTransportOptions {
  account: VendorAccountConfig;
  rateLimiter: RateLimiter;
  /** Attempts for idempotent requests, the first included. */
  maxAttempts?: number;
  /** Consecutive failures that open the circuit. */
  breakerThreshold?: number;
  /** How long an open circuit waits before letting one request through. */
  breakerHalfOpenAfterMs?: number;
  observer?: VendorCallObserver;
  fetchImpl?: typeof fetch;
  /** How long a request may wait for a rate-limit slot (default 60 s). */
  maxSlotWaitMs?: number;
  /** Largest answer read (default 16 MiB); a larger one is a vendor_error `body_too_large`. */
  maxResponseBytes?: number;
}

/**
 * HTTP to one vendor account, with the account's limits and resilience (cockatiel): a timeout per
 * request, retries with exponential backoff and jitter for idempotent requests on transient failures
 * (timeouts, 5xx, 429, malformed answers), a circuit breaker that opens on sustained failure, and a
 * rate limit shared by every process. Vendor clients build requests and read vendor envelopes on top.
 */
export class VendorTransport {
  readonly vendor: VendorName;
  private readonly breakerPolicy;
  private readonly retryPolicy: IPolicy;
  /** One attempt at the vendor: under the circuit breaker, with the per-try timeout. */
  private readonly guarded: IPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: VendorTransportOptions) {
    this.vendor = options.account.vendor;
    this.fetchImpl = options.fetchImpl ?? fetch;
    const transient = handleWhen((error) => error instanceof VendorError && error.transient);
    this.breakerPolicy = circuitBreaker(transient, {
      halfOpenAfter: options.breakerHalfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    });
    this.retryPolicy = retry(transient, {
      maxAttempts: (options.maxAttempts ?? 3) - 1,
      backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 5_000 }),
    });
    const perTry = timeout(options.account.timeoutMs, TimeoutStrategy.Aggressive);
    // Retries outside the breaker, so each attempt counts towards opening it; a timeout per attempt.
    this.guarded = wrap(this.breakerPolicy, perTry);
  }

  private get rateKey(): string {
    return `vendor:${this.options.account.id}`;
  }

  get circuitState(): 'closed' | 'open' | 'half-open' | 'isolated' {
    switch (this.breakerPolicy.state) {
      case CircuitState.Open:
        return 'open';
      case CircuitState.HalfOpen:
        return 'half-open';
      case CircuitState.Isolated:
        return 'isolated';
      default:
        return 'closed';
    }
  }

  /**
   * Sends a request under the account's policies. `read` turns the answer into the caller's value
   * and runs inside the policies, so a vendor's own "busy, try again" code inside an HTTP 200
   * envelope, thrown by `read` as a transient VendorError, is retried like a 503 (for idempotent
   * requests) and counts towards the circuit; permanent errors from `read` are neither.
   */
  async send(request: VendorRequest): Promise<VendorResponse>;
  async send<T>(request: VendorRequest, read: (response: VendorResponse) => T): Promise<T>;
  async send<T>(request: VendorRequest, read?: (response: VendorResponse) => T): Promise<T | VendorResponse> {
    const started = performance.now();
    let outcome = 'ok';
    const attempt = async ({ signal: call }: { signal: AbortSignal }) => {
      // The slot is taken before the per-try timeout and the breaker: a request that waited its turn
      // and never left must not read as "timed out, maybe sent", nor count as the vendor failing.
      const slot = await this.takeSlot();
      try {
        return await this.guarded.execute(async ({ signal }) => {
          try {
            const response = await this.attempt(request, signal);
            if (response.status >= 500) throw this.serverError(response, read);
            return read ? read(response) : response;
          } catch (error) {
            // Retry-After is honoured by every process calling this account, not only by this retry.
            if (error instanceof VendorError && error.retryAfterMs) {
              await this.options.rateLimiter.pause(this.rateKey, Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS));
            }
            throw error;
          }
        }, call);
      } finally {
        // After the answer (or the timeout): the vendor has counted this request by now.
        void slot.release();
      }
    };
    // A signal of this call's own: cockatiel's timeout listens on the signal it is given, and without
    // one every concurrent call would add its listener to one shared signal.
    const call = new AbortController().signal;
    try {
      return await (request.idempotent ? this.retryPolicy.execute(attempt, call) : attempt({ signal: call }));
    } catch (error) {
      const normalized = this.normalize(error);
      outcome = normalized.kind;
      throw normalized;
    } finally {
      this.options.observer?.({
        vendor: this.vendor,
        accountId: this.options.account.id,
        outcome,
        seconds: (performance.now() - started) / 1000,
      });
    }
  }

  private async takeSlot(): Promise<RateSlot> {
    const maxWaitMs = this.options.maxSlotWaitMs ?? MAX_SLOT_WAIT_MS;
    const signal = AbortSignal.timeout(maxWaitMs);
    try {
      return await this.options.rateLimiter.acquire(
        this.rateKey,
        {
          perSecond: this.options.account.rateLimitPerSecond,
          maxRequestMs: this.options.account.timeoutMs + SLOT_HOLD_SLACK_MS,
        },
        signal,
      );
    } catch (error) {
      if (!signal.aborted) throw error;
      throw new VendorError(
        this.vendor,
        'rate_limited',
        'local_rate_limit',
        `no request slot under the account's limit of ${this.options.account.rateLimitPerSecond}/s within ${maxWaitMs} ms`,
      );
    }
  }

  private async attempt(request: VendorRequest, signal: AbortSignal): Promise<VendorResponse> {
    const url = new URL(request.path, this.options.account.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: request.method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
        body,
        signal,
        // A redirect could lead anywhere, an internal address included: it is refused below, not followed.
        redirect: 'manual',
      });
    } catch (error) {
      if (signal.aborted) throw error; // the timeout policy reports it
      if (error instanceof OutboundRequestError) throw this.refusal(error);
      throw new VendorError(this.vendor, 'unavailable', 'network', (error as Error).message || 'network error');
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw new VendorError(
        this.vendor,
        'vendor_error',
        'redirect',
        `answered HTTP ${response.status} to ${response.headers.get('location') ?? 'nowhere'}; redirects are not followed`,
      );
    }
    let text: string;
    try {
      text = await readCappedText(response, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof OutboundRequestError) throw this.refusal(error);
      throw new VendorError(this.vendor, 'unavailable', 'network', (error as Error).message || 'network error');
    }
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new VendorError(this.vendor, 'rate_limited', '429', text.slice(0, 200) || 'Too Many Requests', {
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      });
    }
    let parsed: unknown;
    if (text.trim()) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.status >= 500) throw this.bareServerError(response.status, text || response.statusText);
        // A cut or garbled answer is a fault of the moment on the vendor's side.
        throw new VendorError(this.vendor, 'unavailable', 'malformed_json', `unparseable answer: ${text.slice(0, 80)}`);
      }
    }
    if (response.status >= 500 && parsed === undefined)
      throw this.bareServerError(response.status, response.statusText);
    return { status: response.status, headers: response.headers, body: parsed };
  }

  private bareServerError(status: number, text: string): VendorError {
    return new VendorError(this.vendor, 'unavailable', String(status), text.slice(0, 200));
  }

  /**
   * A 5xx with a parseable body: the vendor's reader gives its own code and message, and the kind
   * stays `unavailable`, so the request is retried when safe and counts towards the circuit.
   */
  private serverError<T>(response: VendorResponse, read?: (response: VendorResponse) => T): VendorError {
    if (read) {
      try {
        read(response);
      } catch (error) {
        if (error instanceof VendorError) {
          return new VendorError(this.vendor, 'unavailable', error.vendorCode, error.vendorMessage, {
            retryAfterMs: error.retryAfterMs,
          });
        }
      }
    }
    return this.bareServerError(response.status, JSON.stringify(response.body));
  }

  /** Fleetgate itself stopped the call (an internal address, an oversized answer): permanent, never retried. */
  private refusal(error: OutboundRequestError): VendorError {
    return new VendorError(this.vendor, 'vendor_error', error.kind, error.message);
  }

  private normalize(error: unknown): VendorError {
    if (error instanceof VendorError) return error;
    if (error instanceof TaskCancelledError) {
      return new VendorError(
        this.vendor,
        'timeout',
        'timeout',
        `no answer within ${this.options.account.timeoutMs} ms`,
      );
    }
    if (error instanceof BrokenCircuitError) {
      return new VendorError(
        this.vendor,
        'unavailable',
        'circuit_open',
        'the circuit to this account is open after repeated failures',
      );
    }
    return new VendorError(this.vendor, 'vendor_error', 'unknown', (error as Error)?.message ?? String(error));
  }
}
