import { createHash } from 'node:crypto';
import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError } from '../core/vendor-error';
import type { VendorRequest, VendorResponse, VendorTransport } from '../core/vendor-transport';
import { errorKindOf, GIZWITS_CODES } from './gizwits-mapper';

export interface GizwitsSession {
  uid: string;
  token: string;
  /** Seconds since the epoch. */
  expire_at: number;
}

export interface GizwitsBinding {
  product_key: string;
  did: string;
  mac: string;
  is_online: boolean;
  passcode: string;
  host: string;
  port: number;
  remark: string;
  is_disabled: boolean;
  type: string;
}

export interface GizwitsLatestData {
  did: string;
  updated_at: number;
  attr: Record<string, boolean | number | string>;
}

export interface GizwitsBindResult {
  success: string[];
  failed: string[];
}

export type GizwitsAttrs = Record<string, boolean | number | string>;

export interface GizwitsSchedulerTask {
  did: string;
  product_key: string;
  attrs: GizwitsAttrs;
}

export interface GizwitsSchedulerInput {
  /** "2015-01-01"; one-off schedulers only. */
  date?: string;
  /** "HH:MM", in UTC. */
  time: string;
  /** "none", or weekdays such as "mon,tue". */
  repeat: string;
  task: GizwitsSchedulerTask[];
  /** 0 to 60. */
  retry_count?: number;
  /** Resend every control, or only those not sent yet. */
  retry_task?: 'all' | 'failed';
}

export interface GizwitsScheduler extends GizwitsSchedulerInput {
  id: string;
  created_at: string;
}

export interface GizwitsSchedulerLog {
  datetime: string;
  status: 'succeed' | 'failed';
  /** did → whether its control was sent. */
  detail: Record<string, boolean>;
}

interface GizwitsFailure {
  error_code: number;
  error_message?: string;
  detail_message?: string | null;
}

/** Sign in again this long before the token's stated expiry, so that no call goes out on a dying token. */
const TOKEN_MARGIN_SECONDS = 60;
/** How long a throttled account (9041) waits when Gizwits sends no Retry-After. */
const THROTTLE_BACKOFF_MS = 1_000;
/** Refusals of the user token: sign in again and repeat the call once. */
const TOKEN_REFUSALS: ReadonlySet<string> = new Set([
  String(GIZWITS_CODES.tokenInvalid),
  String(GIZWITS_CODES.tokenExpired),
]);

/**
 * Gizwits' Open API for one application and the user Fleetgate signs in as, one instance per
 * account. Every call carries `X-Gizwits-Application-Id`; user calls carry `X-Gizwits-User-token`,
 * taken from `/app/login` and renewed before it expires or when Gizwits refuses it (9004 invalid,
 * 9006 expired). Answers
 * are plain JSON; failures are `{error_code, error_message}` with HTTP 4xx/5xx.
 */
export class GizwitsClient {
  private session?: GizwitsSession;
  private signingIn?: Promise<GizwitsSession>;
  private readonly appId: string;

  constructor(
    readonly account: VendorAccountConfig,
    private readonly transport: VendorTransport,
  ) {
    const { appId, username, password } = account.credentials;
    if (!appId || !username || !password) {
      throw new VendorError('gizwits', 'unauthorized', 'credentials', 'appId, username and password are required');
    }
    this.appId = appId;
  }

  /** Signs in; safe to repeat (each answer is a fresh token for the same user). */
  login(): Promise<GizwitsSession> {
    const { username, password } = this.account.credentials;
    return this.call<GizwitsSession>({
      method: 'POST',
      path: '/app/login',
      body: { username, password },
      idempotent: true,
    });
  }

  /** The application token (for captcha and SMS calls): signature = md5(appid + appsecret), lowercase hex. */
  requestAppToken(): Promise<{ token: string; expired_at: number }> {
    const appSecret = this.account.credentials.appSecret;
    if (!appSecret) {
      throw new VendorError('gizwits', 'unauthorized', 'credentials', 'appSecret is required for the app token');
    }
    return this.call({
      method: 'POST',
      path: '/app/request_token',
      headers: {
        'X-Gizwits-Application-Auth': createHash('md5')
          .update(this.appId + appSecret)
          .digest('hex'),
      },
      idempotent: true,
    });
  }

  latestData(did: string): Promise<GizwitsLatestData> {
    return this.call({ method: 'GET', path: `/app/devdata/${encodeURIComponent(did)}/latest`, idempotent: true });
  }

  async bindings(page: { limit: number; skip: number }): Promise<GizwitsBinding[]> {
    const answer = await this.userCall<{ devices: GizwitsBinding[] }>({
      method: 'GET',
      path: '/app/bindings',
      query: { limit: page.limit, skip: page.skip },
      idempotent: true,
    });
    return answer.devices ?? [];
  }

  /** Binding a device twice leaves it bound once. */
  bind(devices: Array<{ did: string; passcode: string; remark?: string }>): Promise<GizwitsBindResult> {
    return this.userCall({
      method: 'POST',
      path: '/app/bindings',
      body: { devices: devices.map(({ did, passcode, remark }) => ({ did, passcode, remark: remark ?? '' })) },
      idempotent: true,
    });
  }

  unbind(dids: string[]): Promise<GizwitsBindResult> {
    return this.userCall({
      method: 'DELETE',
      path: '/app/bindings',
      body: { devices: dids.map((did) => ({ did })) },
      idempotent: true,
    });
  }

  /** Setting data points to values: sending it twice ends in the same state, so it may be retried. */
  controlAttrs(did: string, attrs: GizwitsAttrs): Promise<Record<string, never>> {
    return this.userCall({
      method: 'POST',
      path: `/app/control/${encodeURIComponent(did)}`,
      body: { attrs },
      idempotent: true,
    });
  }

  /** Raw bytes mean whatever the device's firmware makes of them (a toggle, a pulse): never resent. */
  controlRaw(did: string, raw: number[]): Promise<Record<string, never>> {
    return this.userCall({
      method: 'POST',
      path: `/app/control/${encodeURIComponent(did)}`,
      body: { raw },
      idempotent: false,
    });
  }

  /** Not idempotent: each call creates another scheduler. */
  createScheduler(input: GizwitsSchedulerInput): Promise<{ id: string }> {
    return this.userCall({ method: 'POST', path: '/app/scheduler', body: input, idempotent: false });
  }

  listSchedulers(page: { limit: number; skip: number }): Promise<GizwitsScheduler[]> {
    return this.userCall({
      method: 'GET',
      path: '/app/scheduler',
      query: { limit: page.limit, skip: page.skip },
      idempotent: true,
    });
  }

  deleteScheduler(id: string): Promise<unknown> {
    return this.userCall({ method: 'DELETE', path: `/app/scheduler/${encodeURIComponent(id)}`, idempotent: true });
  }

  /**
   * The scheduler's most recent run. The document shows only a run's log; one that has not run yet
   * may answer without a `status` (or nothing), which the adapter reads as not run.
   */
  schedulerLog(id: string): Promise<Partial<GizwitsSchedulerLog>> {
    return this.userCall({
      method: 'GET',
      path: `/app/scheduler/${encodeURIComponent(id)}/logs`,
      idempotent: true,
    });
  }

  /**
   * A call as the signed-in user. A token Gizwits refuses (9004 invalid: revoked, unknown; 9006
   * expired early) is dropped and the call made once more with a new one; a refused call ran nothing,
   * so this is safe for any call. A second refusal is the account's: it is thrown as unauthorized.
   */
  private async userCall<T>(request: VendorRequest): Promise<T> {
    const session = await this.currentSession();
    try {
      return await this.call<T>(request, session.token);
    } catch (error) {
      if (!(error instanceof VendorError && TOKEN_REFUSALS.has(error.vendorCode))) throw error;
      if (this.session === session) this.session = undefined;
      return this.call<T>(request, (await this.currentSession()).token);
    }
  }

  private async currentSession(): Promise<GizwitsSession> {
    const now = Date.now() / 1000;
    if (this.session && this.session.expire_at - TOKEN_MARGIN_SECONDS > now) return this.session;
    // Concurrent calls share one sign-in.
    this.signingIn ??= this.login().finally(() => (this.signingIn = undefined));
    this.session = await this.signingIn;
    return this.session;
  }

  private call<T>(request: VendorRequest, userToken?: string): Promise<T> {
    const headers: Record<string, string> = { ...request.headers, 'X-Gizwits-Application-Id': this.appId };
    if (userToken) headers['X-Gizwits-User-token'] = userToken;
    return this.transport.send({ ...request, headers }, readAnswer<T>);
  }
}

/**
 * Success is any 2xx with its JSON (or nothing); a failure keeps Gizwits' error_code and message. A
 * throttled answer (9041) carries a back-off (its Retry-After, or a second), so that every process
 * calling the account waits; an offline device (9042) is marked so that the task engine waits for it.
 */
function readAnswer<T>(response: VendorResponse): T {
  const failure = response.body as GizwitsFailure | undefined;
  if (response.status >= 400 || (failure && typeof failure === 'object' && 'error_code' in failure)) {
    const code = failure?.error_code;
    if (typeof code !== 'number') {
      throw new VendorError(
        'gizwits',
        response.status === 404 ? 'not_found' : 'vendor_error',
        String(response.status),
        `HTTP ${response.status} without an error_code`,
      );
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new VendorError('gizwits', errorKindOf(code, response.status), String(code), failure?.error_message ?? '', {
      deviceOffline: code === GIZWITS_CODES.deviceOffline,
      ...(code === GIZWITS_CODES.throttled
        ? { retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : THROTTLE_BACKOFF_MS }
        : {}),
    });
  }
  return (response.body ?? {}) as T;
}
