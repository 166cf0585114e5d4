import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * ArmCloud's request signature, verified the way the vendor's server would, written from the
 * document's "Authorization signature mechanism" alone (it shares no code with Fleetgate's adapter,
 * so that the adapter's specs against the simulator test the adapter against the document):
 *
 *   CanonicalRequest = "host:" + host + "\n" + "x-date:" + xDate + "\n" + "content-type:" + contentType + "\n"
 *                    + "signedHeaders:" + signedHeaders + "\n" + "x-content-sha256:" + hex(sha256(body))
 *   CredentialScope  = shortXDate + "/armcloud-paas/request"        shortXDate = the first 8 characters of x-date
 *   StringToSign     = "HMAC-SHA256" + "\n" + xDate + "\n" + CredentialScope + "\n" + hex(sha256(CanonicalRequest))
 *   SigningKey       = hmacSHA256(hmacSHA256(hmacSHA256(sk, shortXDate), "armcloud-paas"), "request")
 *   Signature        = HexEncode(hmacSHA256(SigningKey, StringToSign))
 *   authorization    = "HMAC-SHA256 Credential={AccessKey}/{ShortDate}/armcloud-paas/request,
 *                       SignedHeaders=content-type;host;x-content-sha256;x-date, Signature={Signature}"
 *
 * Only the forms the document and field clients use are accepted: the canonical lines compact (as
 * clients build them) or as the document prints them (a space after each colon and before each
 * following line); content type `application/json` (the document) or `application/json;charset=UTF-8`
 * (field clients); x-host the domain the request was sent to or the document's `openapi.armcloud.net`;
 * `Credential` with its scope (the document) or the access key alone (field clients).
 */

export const ARMCLOUD_DOCUMENT_HOST = 'openapi.armcloud.net';
const ALGORITHM = 'HMAC-SHA256';
const SERVICE = 'armcloud-paas';
const SIGNED_HEADERS = 'content-type;host;x-content-sha256;x-date';
const CONTENT_TYPES = ['application/json', 'application/json;charset=utf-8'];
const X_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

export interface ArmcloudVerifierOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** x-host values accepted besides the host the request was sent to; the document's domain by default. */
  hosts?: string[];
  /** How far x-date may be from the server's clock, either way (15 minutes by default). */
  clockToleranceSeconds?: number;
}

export interface ArmcloudIncomingRequest {
  /** As Node gives them: lower-case names; `host` is the one the request was sent to. */
  headers: Record<string, string | string[] | undefined>;
  /** The exact body bytes received (empty for GET). */
  body: string | Buffer;
  /** The server's clock; now by default. */
  now?: Date;
}

export type ArmcloudSignatureFailure =
  | 'missing-header'
  | 'malformed-authorization'
  | 'unknown-access-key'
  | 'invalid-date'
  | 'stale-date'
  | 'content-type'
  | 'wrong-host'
  | 'body-hash-mismatch'
  | 'bad-signature';

export type ArmcloudSignatureCheck =
  { ok: true; accessKeyId: string } | { ok: false; reason: ArmcloudSignatureFailure; message: string };

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmacSha256 = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The access key an authorization header names (`Credential={AccessKey}/...` or the key alone), signed
 * or not: the account a request is counted against, before its signature is checked.
 */
export function credentialAccessKey(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)/.exec(authorization ?? '')?.[1];
}

function header(headers: ArmcloudIncomingRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function fail(reason: ArmcloudSignatureFailure, message: string): ArmcloudSignatureCheck {
  return { ok: false, reason, message };
}

export class ArmcloudSignatureVerifier {
  private readonly hosts: ReadonlySet<string>;
  private readonly toleranceMs: number;

  constructor(private readonly options: ArmcloudVerifierOptions) {
    this.hosts = new Set((options.hosts ?? [ARMCLOUD_DOCUMENT_HOST]).map((host) => host.toLowerCase()));
    this.toleranceMs = (options.clockToleranceSeconds ?? 15 * 60) * 1000;
  }

  get accessKeyId(): string {
    return this.options.accessKeyId;
  }

  verify(request: ArmcloudIncomingRequest): ArmcloudSignatureCheck {
    const authorization = header(request.headers, 'authorization');
    const xDate = header(request.headers, 'x-date');
    const xHost = header(request.headers, 'x-host');
    const contentType = header(request.headers, 'content-type');
    for (const [name, value] of [
      ['authorization', authorization],
      ['x-date', xDate],
      ['x-host', xHost],
      ['content-type', contentType],
    ] as const) {
      if (!value) return fail('missing-header', `${name} header is missing`);
    }

    const match = /^HMAC-SHA256 (.+)$/.exec(authorization!.trim());
    const fields = new Map<string, string>();
    for (const part of (match?.[1] ?? '').split(',')) {
      const equals = part.indexOf('=');
      if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
    }
    const credential = fields.get('Credential');
    // The document prints the list with a stray space ("x- content-sha256"); the list itself is fixed.
    const signedHeaders = fields.get('SignedHeaders')?.replace(/\s+/g, '');
    const signature = fields.get('Signature');
    if (!match || !credential || signedHeaders !== SIGNED_HEADERS || !signature || !SIGNATURE.test(signature)) {
      return fail(
        'malformed-authorization',
        `authorization must read "${ALGORITHM} Credential={AccessKey}/{ShortDate}/${SERVICE}/request, SignedHeaders=${SIGNED_HEADERS}, Signature={64 hex}"`,
      );
    }
    const [accessKeyId, ...scope] = credential.split('/');
    if (!sameText(accessKeyId, this.options.accessKeyId)) return fail('unknown-access-key', 'unknown access key id');

    const date = X_DATE.exec(xDate!);
    const signedAt = date && new Date(Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]));
    if (!date || !signedAt || signedAt.toISOString().replace(/[-:]|\.\d{3}/g, '') !== xDate) {
      return fail('invalid-date', 'x-date must be UTC in the form 20240301T093700Z');
    }
    const shortDate = xDate!.slice(0, 8);
    if (scope.length > 0 && scope.join('/') !== `${shortDate}/${SERVICE}/request`) {
      return fail('malformed-authorization', `the credential scope must be ${shortDate}/${SERVICE}/request`);
    }
    const skewMs = Math.abs((request.now ?? new Date()).getTime() - signedAt.getTime());
    if (skewMs > this.toleranceMs) {
      return fail(
        'stale-date',
        `x-date is ${Math.round(skewMs / 1000)} s away from server time (tolerance ${this.toleranceMs / 1000} s)`,
      );
    }

    if (!CONTENT_TYPES.includes(contentType!.toLowerCase())) {
      return fail('content-type', 'content-type must be application/json or application/json;charset=UTF-8');
    }
    const ownHost = header(request.headers, 'host')?.toLowerCase();
    if (xHost!.toLowerCase() !== ownHost && !this.hosts.has(xHost!.toLowerCase())) {
      return fail('wrong-host', `x-host ${xHost} is not this server`);
    }

    const bodyHash = sha256Hex(request.body);
    const declared = header(request.headers, 'x-content-sha256');
    if (declared !== undefined && declared.toLowerCase() !== bodyHash) {
      return fail('body-hash-mismatch', 'x-content-sha256 does not match the body received');
    }

    const lines: Array<[string, string]> = [
      ['host', xHost!],
      ['x-date', xDate!],
      ['content-type', contentType!],
      ['signedHeaders', SIGNED_HEADERS],
      ['x-content-sha256', bodyHash],
    ];
    const layouts = [
      lines.map(([name, value]) => `${name}:${value}`).join('\n'),
      lines.map(([name, value]) => `${name}: ${value}`).join('\n '),
    ];
    const key = hmacSha256(hmacSha256(hmacSha256(this.options.secretAccessKey, shortDate), SERVICE), 'request');
    for (const canonical of layouts) {
      const stringToSign = [ALGORITHM, xDate, `${shortDate}/${SERVICE}/request`, sha256Hex(canonical)].join('\n');
      if (sameText(hmacSha256(key, stringToSign).toString('hex'), signature)) return { ok: true, accessKeyId };
    }
    return fail('bad-signature', 'signature does not match');
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
