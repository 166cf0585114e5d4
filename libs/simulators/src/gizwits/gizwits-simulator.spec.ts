/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read field by field */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SimulatorServer } from '../kit';
import { DEMO_PRODUCT_KEY } from './gizwits-datapoints';
import { createGizwitsSimulator } from './gizwits-simulator';
import { didOf } from './gizwits-state';

const APP_ID = 'fleetgatedemoappid0000000000001';

describe('Gizwits simulator', () => {
  let server: SimulatorServer;
  let app: FastifyInstance;

  beforeEach(async () => {
    server = new SimulatorServer(createGizwitsSimulator, { fleetSize: 30, timeScale: 0, seed: 5 });
    app = await server.ready();
  });

  afterEach(async () => {
    await server.close();
  });

  async function call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) {
    const response = await app.inject({
      method,
      url,
      payload,
      headers: { 'x-gizwits-application-id': APP_ID, ...headers },
    });
    return { status: response.statusCode, body: response.body ? (response.json() as any) : undefined };
  }

  async function login(username = 'fleetgate', password = 'fleetgate-demo') {
    const { status, body } = await call('POST', '/app/login', { username, password });
    expect(status).toBe(200);
    return { 'x-gizwits-user-token': body.token as string };
  }

  it('refuses calls without the application id', async () => {
    const response = await app.inject({ method: 'POST', url: '/app/login', payload: { username: 'a', password: 'b' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error_code: 9003, error_message: 'appid invalid' });
  });

  it('creates anonymous, username and email users with 201 and signs them in', async () => {
    const anonymous = await call('POST', '/app/users', { phone_id: 'device-abc' });
    expect(anonymous.status).toBe(201);
    expect(anonymous.body).toEqual({
      uid: expect.any(String),
      token: expect.any(String),
      expire_at: expect.any(Number),
    });
    expect((await call('POST', '/app/users', { username: 'bob', password: '123456' })).status).toBe(201);
    expect((await call('POST', '/app/users', { username: 'bob', password: 'x' })).body.error_code).toBe(9019);
    expect((await call('POST', '/app/users', { email: 'bob@bob.com', password: '123456' })).status).toBe(201);
    expect((await call('POST', '/app/login', { username: 'bob@bob.com', password: '123456' })).status).toBe(200);
    expect((await call('POST', '/app/login', { username: 'bob', password: 'wrong' })).body.error_code).toBe(9020);
    const third = await call('POST', '/app/users', { authData: { src: 'qq', uid: '2346677', token: 'tok' } });
    expect(third.status).toBe(201);
  });

  it('registers a phone user through app token, captcha and SMS code', async () => {
    const signature = createHash('md5')
      .update(APP_ID + 'fleetgate-gizwits-demo-secret')
      .digest('hex');
    expect(
      (await call('POST', '/app/request_token', undefined, { 'x-gizwits-application-auth': 'bad' })).body.error_code,
    ).toBe(9038);
    const appToken = (await call('POST', '/app/request_token', undefined, { 'x-gizwits-application-auth': signature }))
      .body.token;
    const headers = { 'x-gizwits-application-token': appToken };
    const { captcha_id } = (await call('GET', '/app/verify/codes', undefined, headers)).body;
    const captcha = (await call('GET', `/_sim/gizwits/captcha/${captcha_id}`)).body.code;
    expect(
      (await call('POST', '/app/verify/codes', { captcha_id, captcha_code: captcha, phone: '13800000000' }, headers))
        .status,
    ).toBe(201);
    const sms = (await call('GET', '/_sim/gizwits/sms/13800000000')).body.code;
    expect(
      (await call('POST', '/app/users', { phone: '13800000000', password: 'p', code: 'wrong' })).body.error_code,
    ).toBe(9010);
    expect((await call('POST', '/app/users', { phone: '13800000000', password: 'p', code: sms })).status).toBe(201);
  });

  it('lets an anonymous user set a username, and changes passwords', async () => {
    const anonymous = (await call('POST', '/app/users', { phone_id: 'p1' })).body;
    const headers = { 'x-gizwits-user-token': anonymous.token };
    expect((await call('PUT', '/app/users', { username: 'alice', password: 'one' }, headers)).body).toHaveProperty(
      'updatedAt',
    );
    expect((await call('PUT', '/app/users', { old_pwd: 'nope', new_pwd: 'two' }, headers)).body.error_code).toBe(9020);
    expect((await call('PUT', '/app/users', { old_pwd: 'one', new_pwd: 'two' }, headers)).status).toBe(200);
    expect((await call('POST', '/app/login', { username: 'alice', password: 'two' })).status).toBe(200);
  });

  it('refuses an expired token with 9006 and an unknown one with 9004', async () => {
    const headers = await login();
    expect((await call('GET', '/app/bindings', undefined, headers)).status).toBe(200);
    await call('POST', '/_sim/gizwits/tokens/expire');
    expect((await call('GET', '/app/bindings', undefined, headers)).body).toMatchObject({
      error_code: 9006,
      error_message: 'token expired',
    });
    const fresh = await login();
    await call('POST', '/_sim/gizwits/tokens/revoke');
    expect((await call('GET', '/app/bindings', undefined, fresh)).body).toMatchObject({
      error_code: 9004,
      error_message: 'token invalid',
    });
    await call('PUT', '/_sim/gizwits/tokens', { ttlSeconds: 0 });
    expect((await call('GET', '/app/bindings', undefined, await login())).body.error_code).toBe(9006);
  });

  it('throttles the application above its request quota with 9041 and a Retry-After', async () => {
    const headers = await login();
    await call('PUT', '/_sim/gizwits/quota', { requestsPerSecond: 0 });
    const response = await app.inject({
      method: 'GET',
      url: `/app/devdata/${didOf(1)}/latest`,
      headers: { 'x-gizwits-application-id': APP_ID, ...headers },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toMatchObject({ error_code: 9041, error_message: 'request was throttled' });
    await call('PUT', '/_sim/gizwits/quota', { requestsPerSecond: null });
    expect((await call('GET', `/app/devdata/${didOf(1)}/latest`)).status).toBe(200);
  });

  it('pages bindings and binds/unbinds with success and failed lists', async () => {
    const headers = await login();
    const page = (await call('GET', '/app/bindings?limit=10&skip=10', undefined, headers)).body.devices;
    expect(page).toHaveLength(10);
    expect(page[0]).toMatchObject({
      did: didOf(10),
      product_key: DEMO_PRODUCT_KEY,
      passcode: 'pass000010',
      type: 'normal',
    });

    const bob = (await call('POST', '/app/users', { username: 'bob', password: 'x' })).body;
    const bobHeaders = { 'x-gizwits-user-token': bob.token };
    const bound = await call(
      'POST',
      '/app/bindings',
      {
        devices: [
          { did: didOf(1), passcode: 'pass000001', remark: 'lamp' },
          { did: didOf(2), passcode: 'wrong' },
        ],
      },
      bobHeaders,
    );
    expect(bound.body).toEqual({ success: [didOf(1)], failed: [didOf(2)] });
    const list = (await call('GET', '/app/bindings', undefined, bobHeaders)).body.devices;
    expect(list).toEqual([expect.objectContaining({ did: didOf(1), remark: 'lamp' })]);
    const unbound = await call(
      'DELETE',
      '/app/bindings',
      { devices: [{ did: didOf(1) }, { did: didOf(3) }] },
      bobHeaders,
    );
    expect(unbound.body).toEqual({ success: [didOf(1)], failed: [didOf(3)] });
  });

  it('checks control attrs against each data point type and applies them', async () => {
    const headers = await login();
    const did = didOf(4);
    await call('PUT', `/_sim/gizwits/devices/${did}`, { online: true });
    const ok = await call(
      'POST',
      `/app/control/${did}`,
      {
        attrs: {
          switch: true,
          mode: 'cool',
          brightness: 200,
          fan_speed: 1200,
          run_seconds: 70000,
          payload: '0a0b0c0d',
        },
      },
      headers,
    );
    expect(ok).toEqual({ status: 200, body: {} });
    const latest = (await call('GET', `/app/devdata/${did}/latest`)).body;
    expect(latest).toMatchObject({ did, attr: { switch: true, mode: 'cool', brightness: 200, payload: '0a0b0c0d' } });

    for (const [attrs, problem] of [
      [{ switch: 1 }, 'switch'],
      [{ mode: 'turbo' }, 'mode'],
      [{ brightness: 256 }, 'brightness'],
      [{ fan_speed: -1 }, 'fan_speed'],
      [{ run_seconds: 1.5 }, 'run_seconds'],
      [{ payload: '0a0b' }, 'payload'],
      [{ temp: 30 }, 'read-only'],
      [{ nope: 1 }, 'no such data point'],
    ] as const) {
      const refused = await call('POST', `/app/control/${did}`, { attrs }, headers);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error_code: 9025, error_message: 'attr invalid!' });
      expect(refused.body.detail_message).toContain(problem);
    }
  });

  it('sends raw bytes and refuses offline (9042), unknown (9014) and re-paired (9016) devices', async () => {
    const headers = await login();
    const did = didOf(5);
    await call('PUT', `/_sim/gizwits/devices/${did}`, { online: true });
    expect((await call('POST', `/app/control/${did}`, { raw: [0, 1, 2, 255] }, headers)).status).toBe(200);
    expect((await call('GET', `/_sim/gizwits/devices/${did}/raw`)).body.raw).toEqual([0, 1, 2, 255]);
    expect((await call('POST', `/app/control/${did}`, { raw: [256] }, headers)).body.error_code).toBe(9015);
    await call('PUT', `/_sim/gizwits/devices/${did}`, { online: false });
    expect((await call('POST', `/app/control/${did}`, { raw: [1] }, headers)).body).toMatchObject({
      error_code: 9042,
      error_message: 'device offline!',
    });
    const unknown = await call('POST', `/app/control/${didOf(10_000)}`, { raw: [1] }, headers);
    expect(unknown).toMatchObject({ status: 404, body: { error_code: 9014 } });
    const repaired = didOf(7);
    await call('PUT', `/_sim/gizwits/devices/${repaired}`, { passcode: 'newpass001' });
    expect((await call('POST', `/app/control/${repaired}`, { raw: [1] }, headers)).body).toMatchObject({
      error_code: 9016,
      error_message: 'did or passcode invalid!',
    });
  });

  it('changes the latest data points over time', async () => {
    const did = didOf(6);
    const reads = [];
    for (let i = 0; i < 12; i++) reads.push((await call('GET', `/app/devdata/${did}/latest`)).body.attr.temp);
    expect(new Set(reads).size).toBeGreaterThan(1);
  });

  it('creates, lists, fires and deletes schedulers with retry policy and a last log', async () => {
    const headers = await login();
    const [online, offline] = [didOf(7), didOf(8)];
    await call('PUT', `/_sim/gizwits/devices/${online}`, { online: true });
    await call('PUT', `/_sim/gizwits/devices/${offline}`, { online: false });
    const task = [
      { did: online, product_key: DEMO_PRODUCT_KEY, attrs: { switch: false } },
      { did: offline, product_key: DEMO_PRODUCT_KEY, attrs: { switch: true } },
    ];
    const created = await call(
      'POST',
      '/app/scheduler',
      { date: '2030-01-01', time: '12:00', repeat: 'none', task, retry_count: 3, retry_task: 'failed' },
      headers,
    );
    expect(created.status).toBe(201);
    const weekly = await call(
      'POST',
      '/app/scheduler',
      { time: '08:30', repeat: 'mon,fri', task: [task[0]], retry_count: 0, retry_task: 'all' },
      headers,
    );
    expect(weekly.status).toBe(201);
    const listed = (await call('GET', '/app/scheduler?limit=10&skip=0', undefined, headers)).body;
    expect(listed.map((s: any) => s.repeat)).toEqual(['none', 'mon,fri']);

    expect(await call('GET', `/app/scheduler/${created.body.id}/logs`, undefined, headers)).toEqual({
      status: 200,
      body: {},
    });
    expect(await call('GET', '/app/scheduler/sch999999/logs', undefined, headers)).toMatchObject({
      status: 404,
      body: { error_code: 9030, error_message: 'scheduler not found!' },
    });
    const fired = (await call('POST', `/_sim/gizwits/schedulers/${created.body.id}/fire`)).body;
    expect(fired).toMatchObject({ status: 'failed', detail: { [online]: true, [offline]: false }, attempts: 4 });
    const log = (await call('GET', `/app/scheduler/${created.body.id}/logs`, undefined, headers)).body;
    expect(log).toEqual({
      datetime: expect.any(String),
      status: 'failed',
      detail: { [online]: true, [offline]: false },
    });

    expect((await call('POST', `/_sim/gizwits/schedulers/${weekly.body.id}/fire`)).body).toMatchObject({
      status: 'succeed',
      attempts: 1,
    });
    expect((await call('DELETE', `/app/scheduler/${weekly.body.id}`, undefined, headers)).status).toBe(200);
    expect((await call('GET', '/app/scheduler', undefined, headers)).body).toHaveLength(1);
  });

  it.each([
    [{ retry_count: 61 }, 'retry_count'],
    [{ retry_count: -1 }, 'retry_count'],
    [{ retry_task: 'some' }, 'retry_task'],
    [{ repeat: 'mon,funday' }, 'repeat'],
    [{ time: '25:00' }, 'time'],
    [{ date: undefined }, 'date'],
    [{ task: [] }, 'task'],
  ])('refuses scheduler %j', async (override, problem) => {
    const headers = await login();
    const body = {
      date: '2030-01-01',
      time: '12:00',
      repeat: 'none',
      task: [{ did: didOf(1), product_key: DEMO_PRODUCT_KEY, attrs: { switch: true } }],
      retry_count: 3,
      retry_task: 'all',
      ...override,
    };
    const refused = await call('POST', '/app/scheduler', body, headers);
    expect(refused.status).toBe(400);
    expect(refused.body.detail_message).toContain(problem);
  });
});
