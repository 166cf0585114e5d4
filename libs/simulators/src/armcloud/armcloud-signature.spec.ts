import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArmcloudSignatureVerifier, type ArmcloudIncomingRequest } from './armcloud-signature';

/**
 * The simulator's verifier, checked against requests built here by hand from the document's
 * formulas, and against a vector computed outside TypeScript (openssl), so that neither side of the
 * adapter-simulator pair vouches for itself.
 */
describe('ArmCloud simulator: signature verifier written from the document', () => {
  const accessKeyId = 'AKDOCEXAMPLE';
  const secretAccessKey = 'doc-example-secret';
  const body = '{"padCode":"AC22010020062"}';
  const verifier = new ArmcloudSignatureVerifier({ accessKeyId, secretAccessKey, hosts: ['openapi.armcloud.net'] });

  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

  /** What a client does, step by step as the document prints it (compact lines, as field clients build them). */
  function signed(options: {
    date?: Date;
    xDate?: string;
    host?: string;
    xHost?: string;
    requestHost?: string;
    contentType?: string;
    signedContentType?: string;
    payload?: string;
    signedPayload?: string;
    spaced?: boolean;
    secret?: string;
    credential?: string;
  }): ArmcloudIncomingRequest {
    const xDate = options.xDate ?? (options.date ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const host = options.host ?? 'openapi.armcloud.net';
    const contentType = options.contentType ?? 'application/json;charset=UTF-8';
    const payload = options.payload ?? body;
    const bodyHash = sha256(options.signedPayload ?? payload);
    const lines = [
      ['host', host],
      ['x-date', xDate],
      ['content-type', options.signedContentType ?? contentType],
      ['signedHeaders', 'content-type;host;x-content-sha256;x-date'],
      ['x-content-sha256', bodyHash],
    ];
    const canonical = options.spaced
      ? lines.map(([name, value]) => `${name}: ${value}`).join('\n ')
      : lines.map(([name, value]) => `${name}:${value}`).join('\n');
    const short = xDate.slice(0, 8);
    const key = hmac(hmac(hmac(options.secret ?? secretAccessKey, short), 'armcloud-paas'), 'request');
    const stringToSign = ['HMAC-SHA256', xDate, `${short}/armcloud-paas/request`, sha256(canonical)].join('\n');
    const signature = hmac(key, stringToSign).toString('hex');
    return {
      headers: {
        host: options.requestHost ?? '127.0.0.1:4101',
        'x-date': xDate,
        'x-host': options.xHost ?? host,
        'content-type': contentType,
        'x-content-sha256': bodyHash,
        authorization: `HMAC-SHA256 Credential=${options.credential ?? `${accessKeyId}/${short}/armcloud-paas/request`}, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=${signature}`,
      },
      body: payload,
    };
  }

  it('accepts the vector computed with openssl from the document’s formulas (its example x-date and host)', () => {
    const at = new Date('2024-03-01T09:37:00Z');
    const request = (contentType: string, signature: string): ArmcloudIncomingRequest => ({
      headers: {
        host: 'openapi.armcloud.net',
        'x-date': '20240301T093700Z',
        'x-host': 'openapi.armcloud.net',
        'content-type': contentType,
        'x-content-sha256': '557e72c7baa4cca85ea99c6f1cbc6e76970c9e4cb1bd8bc3be2bd928534114cb',
        authorization: `HMAC-SHA256 Credential=AKDOCEXAMPLE/20240301/armcloud-paas/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=${signature}`,
      },
      body,
      now: at,
    });
    expect(
      verifier.verify(request('application/json', '22e99ff5c28af8d931063c092c6a27238f983fea76945b27731391c11f50cda9')),
    ).toEqual({ ok: true, accessKeyId });
    expect(
      verifier.verify(
        request('application/json;charset=UTF-8', '686608ad6c708679fc58be9fe7d4c5f7e6155d4e4e0d7feb133cb31540d9a5e8'),
      ),
    ).toEqual({ ok: true, accessKeyId });
    // The same vector one digit off.
    expect(
      verifier.verify(request('application/json', '22e99ff5c28af8d931063c092c6a27238f983fea76945b27731391c11f50cda8')),
    ).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('accepts the field-client form: the base URL’s host signed and sent as x-host, application/json;charset=UTF-8', () => {
    const request = signed({ host: '127.0.0.1:4101', requestHost: '127.0.0.1:4101' });
    expect(verifier.verify(request)).toEqual({ ok: true, accessKeyId });
  });

  it('accepts the document’s plain application/json and its literal spaced canonical layout', () => {
    expect(verifier.verify(signed({ contentType: 'application/json' }))).toEqual({ ok: true, accessKeyId });
    expect(verifier.verify(signed({ spaced: true }))).toEqual({ ok: true, accessKeyId });
    expect(verifier.verify(signed({ credential: accessKeyId }))).toEqual({ ok: true, accessKeyId });
  });

  it('rejects a bad signature: another secret, or a signature over another body or content type', () => {
    expect(verifier.verify(signed({ secret: 'not-the-secret' }))).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifier.verify(signed({ signedContentType: 'application/json' }))).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifier.verify(signed({ signedPayload: '{"padCode":"AC22010020063"}' }))).toMatchObject({
      ok: false,
      reason: 'body-hash-mismatch',
    });
  });

  it('rejects a wrong host: an x-host that is neither this server nor the document’s domain, or a signature over another host', () => {
    expect(verifier.verify(signed({ host: 'evil.example.com' }))).toMatchObject({ ok: false, reason: 'wrong-host' });
    expect(verifier.verify(signed({ host: '127.0.0.1:9999', requestHost: '127.0.0.1:4101' }))).toMatchObject({
      ok: false,
      reason: 'wrong-host',
    });
    expect(verifier.verify(signed({ host: 'evil.example.com', xHost: 'openapi.armcloud.net' }))).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('rejects a stale or future x-date beyond 15 minutes, and one not in the document’s format', () => {
    expect(verifier.verify(signed({ date: new Date(Date.now() - 16 * 60_000) }))).toMatchObject({
      ok: false,
      reason: 'stale-date',
    });
    expect(verifier.verify(signed({ date: new Date(Date.now() + 16 * 60_000) }))).toMatchObject({
      ok: false,
      reason: 'stale-date',
    });
    expect(verifier.verify(signed({ date: new Date(Date.now() - 14 * 60_000) }))).toMatchObject({ ok: true });
    expect(verifier.verify(signed({ xDate: '2024-03-01T09:37:00Z' }))).toMatchObject({
      ok: false,
      reason: 'invalid-date',
    });
  });

  it('rejects content types other than the two forms, and requests missing the documented headers', () => {
    for (const contentType of ['text/plain', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded']) {
      expect(verifier.verify(signed({ contentType }))).toMatchObject({ ok: false, reason: 'content-type' });
    }
    for (const header of ['authorization', 'x-date', 'x-host', 'content-type']) {
      const request = signed({});
      delete request.headers[header];
      expect(verifier.verify(request)).toMatchObject({ ok: false, reason: 'missing-header' });
    }
  });

  it('rejects an unknown access key, a scope for another day, and a signed-header list other than the document’s', () => {
    const other = signed({});
    other.headers.authorization = String(other.headers.authorization).replace(accessKeyId, 'AKSOMEONEELSE');
    expect(verifier.verify(other)).toMatchObject({ ok: false, reason: 'unknown-access-key' });
    const scoped = signed({ credential: `${accessKeyId}/20240302/armcloud-paas/request` });
    expect(verifier.verify(scoped)).toMatchObject({ ok: false, reason: 'malformed-authorization' });
    const headersList = signed({});
    headersList.headers.authorization = String(headersList.headers.authorization).replace(
      'SignedHeaders=content-type;host;x-content-sha256;x-date',
      'SignedHeaders=host;x-date',
    );
    expect(verifier.verify(headersList)).toMatchObject({ ok: false, reason: 'malformed-authorization' });
  });

  it('is written from the document alone: nothing of the adapter’s signer is imported', () => {
    const source = readFileSync(join(__dirname, 'armcloud-signature.ts'), 'utf8');
    expect(source).not.toMatch(/@fleetgate\/vendors|libs\/vendors/);
  });
});
