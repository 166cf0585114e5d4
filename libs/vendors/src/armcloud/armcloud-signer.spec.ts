import { createHash, createHmac } from 'node:crypto';
import {
  ARMCLOUD_SIGNED_HEADERS,
  armcloudCanonicalRequest,
  ArmcloudSigner,
  formatArmcloudDate,
  parseArmcloudAuthorization,
  parseArmcloudDate,
} from './armcloud-signer';

const ACCESS_KEY = 'AKDEMO0001';
const SECRET = 'armcloud-demo-secret';
const SIGNED_AT = new Date('2024-03-01T09:37:00Z');
/** The request body of the document's "Instance restart" example, serialised compactly. */
const RESTART_BODY = '{"padCodes":["AC22030022693"],"groupIds":[1]}';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

/** The document's steps, written out independently of the implementation. */
function documentedSignature(
  body: string,
  xDate: string,
  contentType = 'application/json',
  host = 'openapi.armcloud.net',
): string {
  const shortXDate = xDate.slice(0, 8);
  const canonicalString =
    'host:' +
    host +
    '\n' +
    'x-date:' +
    xDate +
    '\n' +
    'content-type:' +
    contentType +
    '\n' +
    'signedHeaders:' +
    'content-type;host;x-content-sha256;x-date' +
    '\n' +
    'x-content-sha256:' +
    sha256(body);
  const credentialScope = shortXDate + '/' + 'armcloud-paas' + '/request';
  const stringToSign = 'HMAC-SHA256' + '\n' + xDate + '\n' + credentialScope + '\n' + sha256(canonicalString);
  const signingKey = hmac(hmac(hmac(SECRET, shortXDate), 'armcloud-paas'), 'request');
  return hmac(signingKey, stringToSign).toString('hex');
}

describe('ArmcloudSigner.sign', () => {
  const signer = new ArmcloudSigner({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET });

  it('formats x-date as basic ISO 8601 UTC to the second', () => {
    expect(formatArmcloudDate(new Date('2020-11-03T10:40:27.999Z'))).toBe('20201103T104027Z');
    expect(parseArmcloudDate('20201103T104027Z')?.toISOString()).toBe('2020-11-03T10:40:27.000Z');
    expect(parseArmcloudDate('20201303T104027Z')).toBeUndefined();
    expect(parseArmcloudDate('2020-11-03T10:40:27Z')).toBeUndefined();
  });

  it('sends the documented headers', () => {
    const headers = signer.sign({
      method: 'POST',
      path: '/openapi/open/pad/restart',
      body: RESTART_BODY,
      date: SIGNED_AT,
    });
    expect(headers['x-date']).toBe('20240301T093700Z');
    expect(headers['x-host']).toBe('openapi.armcloud.net');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-content-sha256']).toBe(sha256(RESTART_BODY));
    expect(headers.authorization).toMatch(
      /^HMAC-SHA256 Credential=AKDEMO0001\/20240301\/armcloud-paas\/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=[0-9a-f]{64}$/,
    );
  });

  it('computes the signature of the documented steps (canonical string, string to sign, derived key)', () => {
    const headers = signer.sign({
      method: 'POST',
      path: '/openapi/open/pad/restart',
      body: RESTART_BODY,
      date: SIGNED_AT,
    });
    expect(parseArmcloudAuthorization(headers.authorization)?.signature).toBe(
      documentedSignature(RESTART_BODY, '20240301T093700Z'),
    );
  });

  it('signs a GET over the hash of the empty body', () => {
    const headers = signer.sign({ method: 'GET', path: '/openapi/open/token/stsToken', date: SIGNED_AT });
    expect(headers['x-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(parseArmcloudAuthorization(headers.authorization)?.signature).toBe(
      documentedSignature('', '20240301T093700Z'),
    );
    expect(() => signer.sign({ method: 'GET', path: '/x', body: '{}' })).toThrow('carry no body');
  });

  it('keeps the pinned regression vector', () => {
    const headers = signer.sign({
      method: 'POST',
      path: '/openapi/open/pad/restart',
      body: RESTART_BODY,
      date: SIGNED_AT,
    });
    expect(headers['x-content-sha256']).toBe('4de628902dad884f817b3d5e26504bc0d732e12e0b6a8132c58980d4006fe910');
    expect(headers.authorization).toBe(
      'HMAC-SHA256 Credential=AKDEMO0001/20240301/armcloud-paas/request, ' +
        'SignedHeaders=content-type;host;x-content-sha256;x-date, ' +
        'Signature=401233a1aa354b18b926f9bdf9618f4bc88d9a96381a13fa621a372c525794bf',
    );
  });

  it('signs with a configured host and content type', () => {
    const custom = new ArmcloudSigner({
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET,
      host: 'api.example.test',
      contentType: 'application/json;charset=UTF-8',
    });
    const headers = custom.sign({ method: 'POST', path: '/p', body: '{}', date: SIGNED_AT });
    expect(headers['x-host']).toBe('api.example.test');
    expect(parseArmcloudAuthorization(headers.authorization)?.signature).toBe(
      documentedSignature('{}', '20240301T093700Z', 'application/json;charset=UTF-8', 'api.example.test'),
    );
  });

  it('lays out the canonical request compactly, or as the document typesets it', () => {
    const parts = { host: 'h', xDate: 'd', contentType: 'c', signedHeaders: 's', contentSha256: 'x' };
    expect(armcloudCanonicalRequest(parts)).toBe(
      'host:h\nx-date:d\ncontent-type:c\nsignedHeaders:s\nx-content-sha256:x',
    );
    expect(armcloudCanonicalRequest(parts, 'spaced')).toBe(
      'host: h\n x-date: d\n content-type: c\n signedHeaders: s\n x-content-sha256: x',
    );
  });
});

describe('ArmcloudSigner.verify', () => {
  const signer = new ArmcloudSigner({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET });
  const signed = () =>
    ({ ...signer.sign({ method: 'POST', path: '/p', body: RESTART_BODY, date: SIGNED_AT }) }) as Record<string, string>;

  it('accepts what sign() produced', () => {
    expect(signer.verify({ headers: signed(), body: RESTART_BODY, now: SIGNED_AT })).toEqual({
      ok: true,
      accessKeyId: ACCESS_KEY,
      layout: 'compact',
    });
  });

  it('refuses a wrong signature', () => {
    const headers = signed();
    headers.authorization = headers.authorization.replace(/Signature=.(.*)$/, 'Signature=0$1');
    expect(signer.verify({ headers, body: RESTART_BODY, now: SIGNED_AT })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    const otherSecret = new ArmcloudSigner({ accessKeyId: ACCESS_KEY, secretAccessKey: 'other' });
    expect(otherSecret.verify({ headers: signed(), body: RESTART_BODY, now: SIGNED_AT })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a body that does not match x-content-sha256', () => {
    expect(signer.verify({ headers: signed(), body: RESTART_BODY.replace('1]', '2]'), now: SIGNED_AT })).toMatchObject({
      ok: false,
      reason: 'body-hash-mismatch',
    });
  });

  it('refuses a changed body even without x-content-sha256', () => {
    const headers = signed();
    delete headers['x-content-sha256'];
    expect(signer.verify({ headers, body: RESTART_BODY, now: SIGNED_AT }).ok).toBe(true);
    expect(signer.verify({ headers, body: '{}', now: SIGNED_AT })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses an x-date beyond the tolerance, either way', () => {
    const later = new Date(SIGNED_AT.getTime() + 15 * 60_000 + 1000);
    const earlier = new Date(SIGNED_AT.getTime() - 15 * 60_000 - 1000);
    expect(signer.verify({ headers: signed(), body: RESTART_BODY, now: later })).toMatchObject({
      ok: false,
      reason: 'stale-date',
    });
    expect(signer.verify({ headers: signed(), body: RESTART_BODY, now: earlier })).toMatchObject({
      ok: false,
      reason: 'stale-date',
    });
    expect(
      signer.verify({ headers: signed(), body: RESTART_BODY, now: new Date(SIGNED_AT.getTime() + 14 * 60_000) }).ok,
    ).toBe(true);
  });

  it('names missing headers, malformed authorization, bad dates and unknown keys', () => {
    const noDate = signed();
    delete noDate['x-date'];
    expect(signer.verify({ headers: noDate, body: RESTART_BODY, now: SIGNED_AT })).toMatchObject({
      ok: false,
      reason: 'missing-header',
    });
    expect(
      signer.verify({ headers: { ...signed(), authorization: 'Bearer x' }, body: RESTART_BODY, now: SIGNED_AT }),
    ).toMatchObject({
      ok: false,
      reason: 'malformed-authorization',
    });
    expect(
      signer.verify({ headers: { ...signed(), 'x-date': '2024-03-01T09:37:00Z' }, body: RESTART_BODY, now: SIGNED_AT }),
    ).toMatchObject({
      ok: false,
      reason: 'invalid-date',
    });
    const stranger = new ArmcloudSigner({ accessKeyId: 'AKOTHER', secretAccessKey: SECRET });
    const headers = stranger.sign({
      method: 'POST',
      path: '/p',
      body: RESTART_BODY,
      date: SIGNED_AT,
    }) as unknown as Record<string, string>;
    expect(signer.verify({ headers, body: RESTART_BODY, now: SIGNED_AT })).toMatchObject({
      ok: false,
      reason: 'unknown-access-key',
    });
  });

  it("accepts the other readings: the document's spaced layout, Credential without scope, charset content type", () => {
    const xDate = '20240301T093700Z';
    const spaced = armcloudCanonicalRequest(
      {
        host: 'openapi.armcloud.net',
        xDate,
        contentType: 'application/json',
        signedHeaders: ARMCLOUD_SIGNED_HEADERS,
        contentSha256: sha256(RESTART_BODY),
      },
      'spaced',
    );
    const key = hmac(hmac(hmac(SECRET, '20240301'), 'armcloud-paas'), 'request');
    const signature = hmac(
      key,
      ['HMAC-SHA256', xDate, '20240301/armcloud-paas/request', sha256(spaced)].join('\n'),
    ).toString('hex');
    const headers = {
      'x-date': xDate,
      'x-host': 'openapi.armcloud.net',
      'content-type': 'application/json',
      authorization: `HMAC-SHA256 Credential=${ACCESS_KEY}, SignedHeaders=content-type;host;x- content-sha256;x-date, Signature=${signature}`,
    };
    expect(signer.verify({ headers, body: RESTART_BODY, now: SIGNED_AT })).toMatchObject({
      ok: true,
      layout: 'spaced',
    });

    const charset = new ArmcloudSigner({
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET,
      contentType: 'application/json;charset=UTF-8',
    });
    const charsetHeaders = charset.sign({
      method: 'POST',
      path: '/p',
      body: RESTART_BODY,
      date: SIGNED_AT,
    }) as unknown as Record<string, string>;
    expect(signer.verify({ headers: charsetHeaders, body: RESTART_BODY, now: SIGNED_AT }).ok).toBe(true);
  });

  it('takes the body hash from the header when the body cannot be seen (GET)', () => {
    const headers = signer.sign({
      method: 'GET',
      path: '/openapi/open/token/stsToken',
      date: SIGNED_AT,
    }) as unknown as Record<string, string>;
    expect(signer.verify({ headers, bodyUnavailable: true, now: SIGNED_AT }).ok).toBe(true);
  });
});
