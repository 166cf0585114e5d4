import { createHash, createHmac } from 'node:crypto';
import { ArmcloudSigner, armcloudCanonicalRequest, formatArmcloudDate } from '@fleetgate/vendors';
import type { SimulatorServer } from '../kit';
import { ARMCLOUD_DEMO_ACCESS_KEY, ARMCLOUD_DEMO_SECRET_KEY, armcloudCredentials } from './armcloud-auth';
import type { ArmcloudEnvelope } from './armcloud-envelope';
import { type ArmcloudTestClient, startArmcloudSimulator } from './armcloud-test-client';

describe('ArmCloud simulator: request signatures', () => {
  let server: SimulatorServer;
  let client: ArmcloudTestClient;
  const path = '/openapi/open/pad/padProperties';
  const body = JSON.stringify({ padCode: 'AC22030010001' });

  beforeAll(async () => {
    ({ server, client } = await startArmcloudSimulator());
  });
  afterAll(() => server.close());

  const send = async (headers: Record<string, string>, payload = body) =>
    (await client.app.inject({ method: 'POST', url: path, payload, headers })).json() as ArmcloudEnvelope;

  it('uses the demo credentials unless the options name others', () => {
    expect(armcloudCredentials({})).toEqual({ accessKeyId: ARMCLOUD_DEMO_ACCESS_KEY, secretAccessKey: ARMCLOUD_DEMO_SECRET_KEY });
    expect(armcloudCredentials({ accessKeyId: 'ak', secretAccessKey: 'sk' })).toEqual({ accessKeyId: 'ak', secretAccessKey: 'sk' });
  });

  it('accepts a correctly signed request', async () => {
    const answer = await send(client.signer.sign({ method: 'POST', path, body }) as unknown as Record<string, string>);
    expect(answer).toMatchObject({ code: 200, msg: 'success', data: { padCode: 'AC22030010001' } });
    expect(typeof answer.ts).toBe('number');
  });

  it('counts each request under the access key it is signed with', async () => {
    server.requestRates.clear();
    await send(client.signer.sign({ method: 'POST', path, body }) as unknown as Record<string, string>);
    expect(server.requestRates.snapshot()).toEqual({ [ARMCLOUD_DEMO_ACCESS_KEY]: { received: 1, maxInAnySecond: 1 } });
  });

  it('refuses a wrong signature with 100004', async () => {
    const headers = client.signer.sign({ method: 'POST', path, body }) as unknown as Record<string, string>;
    headers.authorization = headers.authorization.replace(/Signature=([0-9a-f])/, (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`);
    const answer = await send(headers);
    expect(answer.code).toBe(100004);
    expect(answer.msg).toContain('signature does not match');
    expect(answer.data).toBeNull();
  });

  it('refuses a body that is not the one whose hash was signed', async () => {
    const headers = client.signer.sign({ method: 'POST', path, body }) as unknown as Record<string, string>;
    const answer = await send(headers, JSON.stringify({ padCode: 'AC22030010002' }));
    expect(answer.code).toBe(100004);
    expect(answer.msg).toContain('x-content-sha256');
  });

  it('refuses an x-date older than the 15-minute tolerance', async () => {
    const date = new Date(Date.now() - 16 * 60_000);
    const answer = await send(client.signer.sign({ method: 'POST', path, body, date }) as unknown as Record<string, string>);
    expect(answer.code).toBe(100004);
    expect(answer.msg).toContain('away from server time');
  });

  it('refuses a request signed for another host, and one whose content type is neither documented form', async () => {
    const elsewhere = new ArmcloudSigner({ ...armcloudCredentials(), host: 'evil.example.com' });
    const wrongHost = await send(elsewhere.sign({ method: 'POST', path, body }) as unknown as Record<string, string>);
    expect(wrongHost).toMatchObject({ code: 100004, msg: expect.stringContaining('x-host evil.example.com is not this server') });
    const plain = new ArmcloudSigner({ ...armcloudCredentials(), contentType: 'text/plain' });
    const textPlain = await send(plain.sign({ method: 'POST', path, body }) as unknown as Record<string, string>);
    expect(textPlain).toMatchObject({ code: 100004, msg: expect.stringContaining('content-type must be') });
  });

  it('refuses unsigned requests and unknown access keys', async () => {
    expect((await send({ 'content-type': 'application/json' })).msg).toContain('authorization header is missing');
    const headers = client.signer.sign({ method: 'POST', path, body }) as unknown as Record<string, string>;
    headers.authorization = headers.authorization.replace(ARMCLOUD_DEMO_ACCESS_KEY, 'AKSOMEONEELSE');
    expect((await send(headers)).msg).toContain('unknown access key');
  });

  it("accepts a signature over the document's spaced canonical layout and Credential without scope", async () => {
    const xDate = formatArmcloudDate(new Date());
    const canonical = armcloudCanonicalRequest(
      {
        host: 'openapi.armcloud.net',
        xDate,
        contentType: 'application/json;charset=UTF-8',
        signedHeaders: 'content-type;host;x-content-sha256;x-date',
        contentSha256: createHash('sha256').update(body).digest('hex'),
      },
      'spaced',
    );
    const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
    const short = xDate.slice(0, 8);
    const key = hmac(hmac(hmac(ARMCLOUD_DEMO_SECRET_KEY, short), 'armcloud-paas'), 'request');
    const stringToSign = ['HMAC-SHA256', xDate, `${short}/armcloud-paas/request`, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const answer = await send({
      'x-date': xDate,
      'x-host': 'openapi.armcloud.net',
      'content-type': 'application/json;charset=UTF-8',
      authorization: `HMAC-SHA256 Credential=${ARMCLOUD_DEMO_ACCESS_KEY}, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=${hmac(key, stringToSign).toString('hex')}`,
    });
    expect(answer.code).toBe(200);
  });

  it('verifies GET requests over the empty body', async () => {
    const answer = await client.get<{ token: string }>('/openapi/open/token/stsToken');
    expect(answer.code).toBe(200);
    expect(answer.data.token).toMatch(/^[0-9a-f-]{36}$/);
    const unsigned = await client.app.inject({ method: 'GET', url: '/openapi/open/token/stsToken' });
    expect(unsigned.json().code).toBe(100004);
  });

  it('answers a body that is not JSON with 500 after checking its signature', async () => {
    const payload = '{not json';
    const headers = client.signer.sign({ method: 'POST', path, body: payload }) as unknown as Record<string, string>;
    const answer = await send(headers, payload);
    expect(answer.code).toBe(500);
  });

  it('leaves the kit control routes unsigned and parsing JSON', async () => {
    const response = await client.app.inject({ method: 'PUT', url: '/_sim/faults', payload: { latencyMs: 0 } });
    expect(response.statusCode).toBe(200);
    const account = await client.app.inject({ method: 'GET', url: '/_sim/armcloud/account' });
    expect(account.json()).toMatchObject({ accessKeyId: ARMCLOUD_DEMO_ACCESS_KEY, fleetSize: 20 });
  });

  it('answers the vendor error envelope under the errorRate fault', async () => {
    server.setFaults({ errorRate: 1 });
    try {
      const answer = await client.post('/openapi/open/pad/padProperties', { padCode: 'AC22030010001' });
      expect([110039, 100010, 110012]).toContain(answer.code);
      expect(answer.data).toBeNull();
    } finally {
      server.setFaults({ errorRate: 0 });
    }
  });
});
