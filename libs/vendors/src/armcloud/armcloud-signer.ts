import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * ArmCloud OpenAPI request signing (HMAC-SHA256), as the vendor document "Authorization signature
 * mechanism" describes it:
 *
 *   CanonicalRequest = "host:" + host + "\n" + "x-date:" + xDate + "\n" + "content-type:" + contentType + "\n"
 *                    + "signedHeaders:" + signedHeaders + "\n" + "x-content-sha256:" + hex(sha256(body))
 *   CredentialScope  = shortDate + "/armcloud-paas/request"          (shortDate = first 8 characters of x-date)
 *   StringToSign     = "HMAC-SHA256\n" + xDate + "\n" + CredentialScope + "\n" + hex(sha256(CanonicalRequest))
 *   SigningKey       = hmac(hmac(hmac(secretKey, shortDate), "armcloud-paas"), "request")
 *   Signature        = hex(hmac(SigningKey, StringToSign))
 *
 * Two readings of the document are settled here (see libs/simulators/src/armcloud/README.md):
 * - The document prints the canonical lines as `"host: "+host+"\n "+...` — a space after each colon
 *   and at the start of each following line. These are typesetting artefacts of the same kind as
 *   "x- content-sha256" in its header table; the vendor's own clients build `host:value\n...`
 *   without spaces. `sign()` uses that compact layout; `verify()` accepts both.
 * - The key derivation is printed with four `hmacSHA256(` but only three inputs (date, service,
 *   "request"); it is the three-step chain above.
 *
 * The documented canonical request covers neither the method, the path nor the query string:
 * only the host, the date, the content type, the signed-header list and the body hash are signed.
 */

export const ARMCLOUD_DEFAULT_HOST = 'openapi.armcloud.net';
export const ARMCLOUD_SERVICE = 'armcloud-paas';
export const ARMCLOUD_ALGORITHM = 'HMAC-SHA256';
export const ARMCLOUD_SIGNED_HEADERS = 'content-type;host;x-content-sha256;x-date';
export const ARMCLOUD_CONTENT_TYPE = 'application/json';
/** How far x-date may be from the verifier's clock, either way, before a request is refused as stale. */
export const ARMCLOUD_DEFAULT_CLOCK_TOLERANCE_SECONDS = 15 * 60;

/** `compact` is what `sign()` produces; `spaced` is the document's literal typesetting. */
export type ArmcloudCanonicalLayout = 'compact' | 'spaced';

export interface ArmcloudCanonicalParts {
  host: string;
  xDate: string;
  contentType: string;
  signedHeaders: string;
  /** Lower-case hex SHA-256 of the exact body bytes. */
  contentSha256: string;
}

export interface ArmcloudSignerOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** Value of x-host and of `host` in the canonical request; the document fixes it to openapi.armcloud.net. */
  host?: string;
  /** Sent as content-type and signed; defaults to application/json. */
  contentType?: string;
  /** Used by verify(); defaults to 15 minutes. */
  clockToleranceSeconds?: number;
}

export interface ArmcloudSignRequest {
  /** GET and HEAD requests carry no body: their signature is over the hash of the empty string. */
  method: string;
  /** Not part of the documented signature; accepted so that call sites read like the request they sign. */
  path: string;
  /** Not part of the documented signature either (GET endpoints such as network/getIP pass it). */
  query?: Record<string, string | number | boolean | undefined>;
  /** The exact bytes that will be sent (serialise JSON once and send that same string). */
  body?: string | Uint8Array;
  /** Signing time; defaults to now. */
  date?: Date;
}

/** The headers to send with the request, lower-case names. */
export interface ArmcloudSignedHeaders {
  'x-date': string;
  'x-host': string;
  authorization: string;
  'x-content-sha256': string;
  'content-type': string;
}

export interface ArmcloudVerifyRequest {
  /** Incoming headers as Node/Fastify give them (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes as received; undefined or empty for GET. */
  body?: string | Uint8Array;
  /**
   * True when the server cannot see the body (GET): the body hash is then taken from the
   * x-content-sha256 header instead of being recomputed.
   */
  bodyUnavailable?: boolean;
  /** Verifier's clock; defaults to now. */
  now?: Date;
}

export type ArmcloudVerifyFailureReason =
  | 'missing-header'
  | 'malformed-authorization'
  | 'unknown-access-key'
  | 'invalid-date'
  | 'stale-date'
  | 'body-hash-mismatch'
  | 'bad-signature';

export type ArmcloudVerification =
  | { ok: true; accessKeyId: string; layout: ArmcloudCanonicalLayout }
  | { ok: false; reason: ArmcloudVerifyFailureReason; message: string };

export interface ArmcloudParsedAuthorization {
  algorithm: string;
  accessKeyId: string;
  /** The `{ShortDate}/armcloud-paas/request` part; empty when a client sends `Credential={AccessKey}` alone. */
  credentialScope: string;
  signedHeaders: string;
  signature: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20240301T093700Z`: UTC, basic ISO 8601, to the second. */
export function formatArmcloudDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Parses the x-date format; undefined when the text is not `YYYYMMDDTHHMMSSZ` or not a real instant. */
export function parseArmcloudDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return formatArmcloudDate(date) === text ? date : undefined;
}

export function armcloudCredentialScope(shortDate: string): string {
  return `${shortDate}/${ARMCLOUD_SERVICE}/request`;
}

export function armcloudCanonicalRequest(
  parts: ArmcloudCanonicalParts,
  layout: ArmcloudCanonicalLayout = 'compact',
): string {
  const lines: Array<[string, string]> = [
    ['host', parts.host],
    ['x-date', parts.xDate],
    ['content-type', parts.contentType],
    ['signedHeaders', parts.signedHeaders],
    ['x-content-sha256', parts.contentSha256],
  ];
  if (layout === 'spaced') return lines.map(([name, value]) => `${name}: ${value}`).join('\n ');
  return lines.map(([name, value]) => `${name}:${value}`).join('\n');
}

export function armcloudStringToSign(xDate: string, canonicalRequest: string): string {
  const shortDate = xDate.slice(0, 8);
  return [ARMCLOUD_ALGORITHM, xDate, armcloudCredentialScope(shortDate), sha256Hex(canonicalRequest)].join('\n');
}

export function armcloudSigningKey(secretAccessKey: string, shortDate: string): Buffer {
  return hmac(hmac(hmac(secretAccessKey, shortDate), ARMCLOUD_SERVICE), 'request');
}

export function armcloudSignature(secretAccessKey: string, xDate: string, canonicalRequest: string): string {
  const key = armcloudSigningKey(secretAccessKey, xDate.slice(0, 8));
  return createHmac('sha256', key).update(armcloudStringToSign(xDate, canonicalRequest), 'utf8').digest('hex');
}

/**
 * Reads `HMAC-SHA256 Credential=AK/20240301/armcloud-paas/request, SignedHeaders=..., Signature=...`.
 * Tolerates the spellings seen in the wild: `Credential=AK` without a scope, stray spaces inside the
 * header list ("x- content-sha256"), and any order of the three fields.
 */
export function parseArmcloudAuthorization(header: string): ArmcloudParsedAuthorization | undefined {
  const match = /^\s*(\S+)\s+(.*)$/.exec(header);
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[2].split(',')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    fields.set(part.slice(0, equals).trim().toLowerCase(), part.slice(equals + 1).trim());
  }
  const credential = fields.get('credential');
  const signature = fields.get('signature');
  if (!credential || !signature) return undefined;
  const slash = credential.indexOf('/');
  return {
    algorithm: match[1],
    accessKeyId: slash < 0 ? credential : credential.slice(0, slash),
    credentialScope: slash < 0 ? '' : credential.slice(slash + 1),
    signedHeaders: (fields.get('signedheaders') ?? ARMCLOUD_SIGNED_HEADERS).replace(/\s+/g, ''),
    signature: signature.toLowerCase(),
  };
}

function headerValue(headers: ArmcloudVerifyRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Signs requests for one ArmCloud account, and verifies them on the server side (the simulator). */
export class ArmcloudSigner {
  readonly accessKeyId: string;
  readonly host: string;
  readonly contentType: string;
  private readonly secretAccessKey: string;
  private readonly clockToleranceMs: number;

  constructor(options: ArmcloudSignerOptions) {
    if (!options.accessKeyId || !options.secretAccessKey)
      throw new Error('ArmcloudSigner needs accessKeyId and secretAccessKey');
    this.accessKeyId = options.accessKeyId;
    this.secretAccessKey = options.secretAccessKey;
    this.host = options.host ?? ARMCLOUD_DEFAULT_HOST;
    this.contentType = options.contentType ?? ARMCLOUD_CONTENT_TYPE;
    this.clockToleranceMs = (options.clockToleranceSeconds ?? ARMCLOUD_DEFAULT_CLOCK_TOLERANCE_SECONDS) * 1000;
  }

  /** The headers that authenticate one request. */
  sign(request: ArmcloudSignRequest): ArmcloudSignedHeaders {
    const bodyless = /^(GET|HEAD)$/i.test(request.method);
    if (bodyless && request.body !== undefined && request.body.length > 0) {
      throw new Error(`ArmCloud ${request.method.toUpperCase()} requests carry no body; pass parameters in query`);
    }
    const xDate = formatArmcloudDate(request.date ?? new Date());
    const contentSha256 = sha256Hex(request.body ?? '');
    const canonical = armcloudCanonicalRequest({
      host: this.host,
      xDate,
      contentType: this.contentType,
      signedHeaders: ARMCLOUD_SIGNED_HEADERS,
      contentSha256,
    });
    const signature = armcloudSignature(this.secretAccessKey, xDate, canonical);
    const scope = armcloudCredentialScope(xDate.slice(0, 8));
    return {
      'x-date': xDate,
      'x-host': this.host,
      authorization: `${ARMCLOUD_ALGORITHM} Credential=${this.accessKeyId}/${scope}, SignedHeaders=${ARMCLOUD_SIGNED_HEADERS}, Signature=${signature}`,
      'x-content-sha256': contentSha256,
      'content-type': this.contentType,
    };
  }

  /**
   * Recomputes the signature of an incoming request and compares it in constant time. Checks, in
   * order: required headers, authorization syntax, access key, x-date syntax and freshness, the
   * x-content-sha256 header against the body received, then the signature. To accept clients that
   * read the document differently, the signature may match any of: the compact or the spaced
   * canonical layout; host = x-host or the documented fixed host; content-type as sent or
   * application/json; the signed-header list as sent or the documented one.
   */
  verify(request: ArmcloudVerifyRequest): ArmcloudVerification {
    const authorization = headerValue(request.headers, 'authorization');
    const xDate = headerValue(request.headers, 'x-date');
    if (!authorization) return { ok: false, reason: 'missing-header', message: 'authorization header is missing' };
    if (!xDate) return { ok: false, reason: 'missing-header', message: 'x-date header is missing' };
    const parsed = parseArmcloudAuthorization(authorization);
    if (!parsed || parsed.algorithm !== ARMCLOUD_ALGORITHM) {
      return {
        ok: false,
        reason: 'malformed-authorization',
        message: 'authorization must read "HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."',
      };
    }
    if (!sameHex(parsed.accessKeyId, this.accessKeyId)) {
      return { ok: false, reason: 'unknown-access-key', message: 'unknown access key id' };
    }
    const signedAt = parseArmcloudDate(xDate);
    if (!signedAt)
      return { ok: false, reason: 'invalid-date', message: 'x-date must be UTC in the form 20240301T093700Z' };
    const skewMs = Math.abs((request.now ?? new Date()).getTime() - signedAt.getTime());
    if (skewMs > this.clockToleranceMs) {
      return {
        ok: false,
        reason: 'stale-date',
        message: `x-date is ${Math.round(skewMs / 1000)} s away from server time (tolerance ${this.clockToleranceMs / 1000} s)`,
      };
    }

    const declaredHash = headerValue(request.headers, 'x-content-sha256')?.trim().toLowerCase();
    let contentSha256: string;
    if (request.bodyUnavailable) {
      contentSha256 = declaredHash || sha256Hex('');
    } else {
      contentSha256 = sha256Hex(request.body ?? '');
      if (declaredHash && declaredHash !== contentSha256) {
        return {
          ok: false,
          reason: 'body-hash-mismatch',
          message: 'x-content-sha256 does not match the body received',
        };
      }
    }

    const hosts = new Set([headerValue(request.headers, 'x-host') ?? this.host, this.host]);
    const contentTypes = new Set([
      headerValue(request.headers, 'content-type') ?? this.contentType,
      ARMCLOUD_CONTENT_TYPE,
    ]);
    const signedHeaderLists = new Set([parsed.signedHeaders, ARMCLOUD_SIGNED_HEADERS]);
    for (const layout of ['compact', 'spaced'] as const) {
      for (const host of hosts) {
        for (const contentType of contentTypes) {
          for (const signedHeaders of signedHeaderLists) {
            const canonical = armcloudCanonicalRequest(
              { host, xDate, contentType, signedHeaders, contentSha256 },
              layout,
            );
            if (sameHex(armcloudSignature(this.secretAccessKey, xDate, canonical), parsed.signature)) {
              return { ok: true, accessKeyId: parsed.accessKeyId, layout };
            }
          }
        }
      }
    }
    return { ok: false, reason: 'bad-signature', message: 'signature does not match' };
  }
}
