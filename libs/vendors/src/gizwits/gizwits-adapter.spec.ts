import { createHash } from 'node:crypto';
import { createGizwitsSimulator, SimulatorServer } from '@fleetgate/simulators';
import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError } from '../core/vendor-error';
import { recordingFetch, testAccount, testTransport } from '../core/adapter-test-kit';
import type { VendorTransportOptions } from '../core/vendor-transport';
import { GizwitsAdapter } from './gizwits-adapter';
import { GizwitsClient } from './gizwits-client';
import { errorKindOf } from './gizwits-mapper';
import { gizwitsVendor } from './gizwits.definition';

const APP_ID = 'fleetgatedemoappid0000000000001';
const APP_SECRET = 'fleetgate-gizwits-demo-secret';

function account(baseUrl: string, overrides: Partial<VendorAccountConfig> = {}): VendorAccountConfig {
  return testAccount(
    'gizwits',
    baseUrl,
    { appId: APP_ID, appSecret: APP_SECRET, username: 'fleetgate', password: 'fleetgate-demo' },
    overrides,
  );
}

function adapterFor(config: VendorAccountConfig, options: Partial<VendorTransportOptions> = {}) {
  const transport = testTransport(config, options);
  const client = new GizwitsClient(config, transport);
  return { adapter: new GizwitsAdapter(client), client, transport };
}

describe('GizwitsAdapter against the Gizwits simulator', () => {
  let sim: SimulatorServer;
  let baseUrl: string;
  let dids: string[];

  async function setOnline(did: string, online: boolean) {
    await fetch(`${baseUrl}/_sim/gizwits/devices/${did}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ online }),
    });
  }

  beforeEach(async () => {
    sim = new SimulatorServer(createGizwitsSimulator, { fleetSize: 250, timeScale: 0, seed: 7 });
    baseUrl = await sim.listen(0);
    const { adapter } = adapterFor(account(baseUrl));
    dids = (await adapter.listDevices()).devices.slice(0, 3).map((device) => device.vendorRef);
    for (const did of dids) await setOnline(did, true);
  });

  afterEach(async () => {
    await sim.close();
  });

  it('is what the definition creates, and refuses an account without its credentials', () => {
    const config = account(baseUrl);
    const transport = testTransport(config);
    expect(gizwitsVendor.createAdapter(config, transport)).toBeInstanceOf(GizwitsAdapter);
    expect(() => new GizwitsClient(account(baseUrl, { credentials: { appId: APP_ID } }), transport)).toThrow(
      expect.objectContaining({ kind: 'unauthorized', vendorCode: 'credentials' }),
    );
  });

  describe('requests as the document writes them', () => {
    it('signs in with /app/login, then controls a device with the user token', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      await adapter.dispatch({ type: 'control.datapoints', params: { attrs: { switch: true, brightness: 10 } } }, [
        dids[0],
      ]);
      expect(requests).toHaveLength(2);
      expect(requests[0]).toMatchObject({
        method: 'POST',
        url: `${baseUrl}/app/login`,
        headers: { 'content-type': 'application/json', 'X-Gizwits-Application-Id': APP_ID },
      });
      expect(JSON.parse(requests[0].body!)).toEqual({ username: 'fleetgate', password: 'fleetgate-demo' });
      expect(requests[1]).toMatchObject({
        method: 'POST',
        url: `${baseUrl}/app/control/${dids[0]}`,
        headers: {
          'content-type': 'application/json',
          'X-Gizwits-Application-Id': APP_ID,
          'X-Gizwits-User-token': expect.stringMatching(/.+/),
        },
      });
      expect(JSON.parse(requests[1].body!)).toEqual({ attrs: { switch: true, brightness: 10 } });
    });

    it('sends raw bytes as the document’s {"raw": [...]} and the device receives them', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      const [outcome] = await adapter.dispatch({ type: 'control.raw', params: { raw: [0, 1, 2, 3] } }, [dids[1]]);
      expect(outcome).toEqual({ vendorRef: dids[1], status: 'succeeded' });
      expect(JSON.parse(requests.at(-1)!.body!)).toEqual({ raw: [0, 1, 2, 3] });
      const seen = await (await fetch(`${baseUrl}/_sim/gizwits/devices/${dids[1]}/raw`)).json();
      expect(seen).toEqual({ raw: [0, 1, 2, 3] });
    });

    it('pages bindings with limit and skip, and reads latest data without a user token', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      await adapter.listDevices('100');
      expect(requests.at(-1)).toMatchObject({ method: 'GET', url: `${baseUrl}/app/bindings?limit=100&skip=100` });
      await adapter.getDevice(dids[0]);
      expect(requests.at(-1)!.url).toBe(`${baseUrl}/app/devdata/${dids[0]}/latest`);
      expect(requests.at(-1)!.headers).toEqual({ 'X-Gizwits-Application-Id': APP_ID });
    });

    it('asks for the app token with signature = md5(appid + appsecret) in lowercase hex', async () => {
      const { requests, impl } = recordingFetch();
      const { client } = adapterFor(account(baseUrl), { fetchImpl: impl });
      await expect(client.requestAppToken()).resolves.toMatchObject({ token: expect.any(String) });
      expect(requests[0].headers['X-Gizwits-Application-Auth']).toBe(
        createHash('md5')
          .update(APP_ID + APP_SECRET)
          .digest('hex'),
      );
    });

    it('creates a scheduler in the document’s shape: date, UTC time, repeat, task, retry_count, retry_task', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      const schedule = await adapter.createSchedule({
        date: '2030-01-01',
        time: '12:00',
        controls: [
          { vendorRef: dids[0], attrs: { switch: true } },
          { vendorRef: dids[1], attrs: { mode: 'cool' } },
        ],
        retryCount: 3,
        retryScope: 'all',
      });
      expect(schedule.vendorTaskId).toMatch(/^scheduler:.+/);
      const create = requests.find((request) => request.url.endsWith('/app/scheduler'))!;
      expect(create.method).toBe('POST');
      expect(JSON.parse(create.body!)).toEqual({
        date: '2030-01-01',
        time: '12:00',
        repeat: 'none',
        task: [
          { did: dids[0], product_key: 'fleetgatedemoproduct0000000001', attrs: { switch: true } },
          { did: dids[1], product_key: 'fleetgatedemoproduct0000000001', attrs: { mode: 'cool' } },
        ],
        retry_count: 3,
        retry_task: 'all',
      });
    });
  });

  it('lists every bound device through the pages of bindings, with online state', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await setOnline(dids[2], false);
    const seen: string[] = [];
    let cursor: string | undefined;
    let offline: unknown;
    do {
      const page = await adapter.listDevices(cursor);
      seen.push(...page.devices.map((device) => device.vendorRef));
      offline ??= page.devices.find((device) => device.vendorRef === dids[2]);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(offline).toMatchObject({ status: 'offline', model: 'fleetgatedemoproduct0000000001' });
    expect(JSON.stringify(offline)).not.toContain('passcode');
    await expect(adapter.listDevices('-1')).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('gets a device’s latest data points, and reports an unknown device as not_found', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await adapter.dispatch({ type: 'control.datapoints', params: { attrs: { fan_speed: 1200 } } }, [dids[0]]);
    const device = await adapter.getDevice(dids[0]);
    expect(device).toMatchObject({
      vendor: 'gizwits',
      vendorRef: dids[0],
      attributes: { dataPoints: expect.objectContaining({ fan_speed: 1200 }) },
    });
    await expect(adapter.getDevice('FGnosuchdevice')).rejects.toMatchObject({
      kind: 'not_found',
      vendorCode: '9014',
      vendorMessage: 'device not found!',
    });
  });

  it('fails an offline device or a bad data point alone, keeping Gizwits’ code and message', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await setOnline(dids[1], false);
    const outcomes = await adapter.dispatch({ type: 'control.datapoints', params: { attrs: { switch: false } } }, dids);
    expect(outcomes).toEqual([
      { vendorRef: dids[0], status: 'succeeded' },
      {
        vendorRef: dids[1],
        status: 'failed',
        error: { code: '9042', message: 'device offline!', deviceOffline: true },
      },
      { vendorRef: dids[2], status: 'succeeded' },
    ]);
    const [readOnly] = await adapter.dispatch({ type: 'control.datapoints', params: { attrs: { temp: 20 } } }, [
      dids[0],
    ]);
    expect(readOnly).toMatchObject({ status: 'failed', error: { code: '9025' } });
  });

  it('neither resends a control to an offline device nor counts it towards the account’s circuit', async () => {
    const { requests, impl } = recordingFetch();
    const { adapter, transport } = adapterFor(account(baseUrl), {
      fetchImpl: impl,
      maxAttempts: 3,
      breakerThreshold: 2,
    });
    await adapter.testConnection();
    for (const did of dids) await setOnline(did, false);
    requests.length = 0;
    const outcomes = await adapter.dispatch({ type: 'control.datapoints', params: { attrs: { switch: true } } }, dids);
    expect(outcomes.map((outcome) => outcome.error?.code)).toEqual(['9042', '9042', '9042']);
    expect(requests).toHaveLength(3);
    expect(transport.circuitState).toBe('closed');
  });

  it('signs in again once when Gizwits calls the token expired', async () => {
    const { requests, impl } = recordingFetch();
    const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
    await adapter.testConnection();
    await fetch(`${baseUrl}/_sim/gizwits/tokens/expire`, { method: 'POST' });
    requests.length = 0;
    await adapter.testConnection();
    expect(requests.map((request) => new URL(request.url).pathname)).toEqual([
      '/app/bindings',
      '/app/login',
      '/app/bindings',
    ]);
  });

  it('refuses a dispatch up front when the account cannot sign in', async () => {
    const { adapter } = adapterFor(
      account(baseUrl, { credentials: { appId: APP_ID, username: 'fleetgate', password: 'wrong' } }),
    );
    await expect(
      adapter.dispatch({ type: 'control.datapoints', params: { attrs: { switch: true } } }, dids),
    ).rejects.toMatchObject({ kind: 'unauthorized', vendorCode: '9020' });
    const { adapter: wrongApp } = adapterFor(
      account(baseUrl, { credentials: { ...account(baseUrl).credentials, appId: 'nope' } }),
    );
    await expect(wrongApp.testConnection()).rejects.toMatchObject({ kind: 'unauthorized', vendorCode: '9003' });
  });

  it('follows a scheduler through its run log: pending, then succeeded or partially failed; cancel deletes it', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    const whole = await adapter.createSchedule({
      weekdays: ['mon', 'fri'],
      time: '08:30',
      controls: [{ vendorRef: dids[0], attrs: { switch: true } }],
    });
    await setOnline(dids[2], false);
    const partial = await adapter.createSchedule({
      date: '2030-01-01',
      time: '00:00',
      controls: [
        { vendorRef: dids[1], attrs: { switch: true } },
        { vendorRef: dids[2], attrs: { switch: true } },
      ],
      retryCount: 2,
      retryScope: 'failed',
    });
    expect(await adapter.pollTasks([whole.vendorTaskId])).toEqual([
      { vendorTaskId: whole.vendorTaskId, status: 'pending', vendorStatus: 'not_run' },
    ]);
    for (const schedule of [whole, partial]) {
      const id = schedule.vendorTaskId.slice('scheduler:'.length);
      await fetch(`${baseUrl}/_sim/gizwits/schedulers/${id}/fire`, { method: 'POST' });
    }
    const [wholeRun, partialRun] = await adapter.pollTasks([whole.vendorTaskId, partial.vendorTaskId]);
    expect(wholeRun).toMatchObject({ status: 'succeeded', vendorStatus: 'succeed' });
    expect(partialRun).toMatchObject({
      status: 'partially_failed',
      vendorStatus: 'failed',
      result: { detail: { [dids[1]]: true, [dids[2]]: false } },
      error: { message: `control not sent to ${dids[2]}` },
    });

    const listed = await adapter.listSchedules();
    expect(listed.map((schedule) => schedule.vendorTaskId)).toEqual([whole.vendorTaskId, partial.vendorTaskId]);
    expect(listed[0]).toMatchObject({ weekdays: ['mon', 'fri'], time: '08:30', controls: whole.controls });
    expect(listed[1]).toMatchObject({ date: '2030-01-01', retryCount: 2, retryScope: 'failed' });

    await adapter.cancelTasks([whole.vendorTaskId]);
    await adapter.cancelTasks([whole.vendorTaskId]); // already gone: what cancel wants
    expect((await adapter.listSchedules()).map((schedule) => schedule.vendorTaskId)).toEqual([partial.vendorTaskId]);
    await expect(adapter.pollTasks(['42'])).rejects.toMatchObject({ kind: 'invalid', vendorCode: 'task_id' });
  });

  it('refuses a schedule on a device the account has not bound, and one with both a date and weekdays', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await expect(
      adapter.createSchedule({ time: '10:00', date: '2030-01-01', controls: [{ vendorRef: 'FGunbound', attrs: {} }] }),
    ).rejects.toMatchObject({ kind: 'invalid', vendorCode: '9017' });
    await expect(
      adapter.createSchedule({ time: '10:00', date: '2030-01-01', weekdays: ['mon'], controls: [] }),
    ).rejects.toMatchObject({ kind: 'invalid', vendorCode: 'schedule' });
  });

  it('refuses what Gizwits cannot do instead of doing nothing', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    for (const capability of ['device.reboot', 'app.install', 'script.start', 'callbacks'] as const) {
      expect(adapter.capabilities.has(capability)).toBe(false);
    }
    await expect(adapter.dispatch({ type: 'device.reboot', params: {} }, dids)).rejects.toMatchObject({
      kind: 'unsupported',
      vendorMessage: 'gizwits does not support device.reboot',
    });
    expect(() => adapter.parseCallback()).toThrow(VendorError);
  });

  describe('Gizwits’ error codes, each answered by the simulator in the situation its table gives', () => {
    const control = { type: 'control.datapoints', params: { attrs: { switch: true } } } as const;

    async function simulator(method: 'POST' | 'PUT', path: string, body?: object) {
      const response = await fetch(`${baseUrl}/_sim/gizwits/${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(response.ok).toBe(true);
    }

    it('9003 appid invalid: the account is refused up front as unauthorized', async () => {
      const { adapter } = adapterFor(
        account(baseUrl, { credentials: { ...account(baseUrl).credentials, appId: 'not-this-app' } }),
      );
      await expect(adapter.dispatch(control, dids)).rejects.toMatchObject({
        kind: 'unauthorized',
        vendorCode: '9003',
        vendorMessage: 'appid invalid',
        refusedUpFront: true,
      });
    });

    it('9004 token invalid: signs in again once and the call goes through', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      await adapter.testConnection();
      await simulator('POST', 'tokens/revoke');
      requests.length = 0;
      const outcomes = await adapter.dispatch(control, [dids[0]]);
      expect(outcomes).toEqual([{ vendorRef: dids[0], status: 'succeeded' }]);
      expect(requests.map((request) => new URL(request.url).pathname)).toEqual([
        `/app/control/${dids[0]}`,
        '/app/login',
        `/app/control/${dids[0]}`,
      ]);
    });

    it('9006 token expired: signs in again once, and is unauthorized when every new token is refused too', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      await adapter.testConnection();
      await simulator('POST', 'tokens/expire');
      await simulator('PUT', 'tokens', { ttlSeconds: 0 });
      requests.length = 0;
      await expect(adapter.dispatch(control, dids)).rejects.toMatchObject({
        kind: 'unauthorized',
        vendorCode: '9006',
        vendorMessage: 'token expired',
      });
      expect(requests.map((request) => new URL(request.url).pathname)).toEqual([
        `/app/control/${dids[0]}`,
        '/app/login',
        `/app/control/${dids[0]}`,
      ]);
    });

    it('9016 did or passcode invalid: that device alone fails as invalid (its binding no longer matches the device)', async () => {
      const { adapter } = adapterFor(account(baseUrl));
      await simulator('PUT', `devices/${dids[1]}`, { passcode: 'repaired01' });
      const outcomes = await adapter.dispatch(control, dids);
      expect(outcomes).toEqual([
        { vendorRef: dids[0], status: 'succeeded' },
        { vendorRef: dids[1], status: 'failed', error: { code: '9016', message: 'did or passcode invalid!' } },
        { vendorRef: dids[2], status: 'succeeded' },
      ]);
      await expect(adapter.client.controlAttrs(dids[1], { switch: true })).rejects.toMatchObject({
        kind: 'invalid',
        vendorCode: '9016',
      });
    });

    it('9025 attr invalid: a bad request for that device, not an account refusal', async () => {
      const { adapter } = adapterFor(account(baseUrl));
      const outcomes = await adapter.dispatch({ type: 'control.datapoints', params: { attrs: { brightness: 999 } } }, [
        dids[0],
        dids[1],
      ]);
      expect(outcomes.map((outcome) => [outcome.status, outcome.error?.code])).toEqual([
        ['failed', '9025'],
        ['failed', '9025'],
      ]);
      await expect(adapter.client.controlAttrs(dids[0], { brightness: 999 })).rejects.toMatchObject({
        kind: 'invalid',
        vendorCode: '9025',
        refusedUpFront: false,
      });
    });

    it('9030 scheduler not found: not_found for that scheduler; cancel takes it as done, a never-run one polls as pending', async () => {
      const { adapter } = adapterFor(account(baseUrl));
      await expect(adapter.client.deleteScheduler('sch999999')).rejects.toMatchObject({
        kind: 'not_found',
        vendorCode: '9030',
        vendorMessage: 'scheduler not found!',
      });
      await expect(adapter.cancelTasks(['scheduler:sch999999'])).resolves.toBeUndefined();
      const made = await adapter.createSchedule({
        date: '2030-01-01',
        time: '00:00',
        controls: [{ vendorRef: dids[0], attrs: { switch: true } }],
      });
      expect(await adapter.pollTasks([made.vendorTaskId])).toEqual([
        { vendorTaskId: made.vendorTaskId, status: 'pending', vendorStatus: 'not_run' },
      ]);
    });

    it('9038 application auth invalid: the app token is refused as unauthorized', async () => {
      const { client } = adapterFor(
        account(baseUrl, { credentials: { ...account(baseUrl).credentials, appSecret: 'not-the-secret' } }),
      );
      await expect(client.requestAppToken()).rejects.toMatchObject({
        kind: 'unauthorized',
        vendorCode: '9038',
        vendorMessage: 'X-Gizwits-Application-Auth invalid!',
      });
    });

    it('9041 throttled: rate_limited with a back-off, refused up front before anything was sent', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl, maxAttempts: 1 });
      await adapter.testConnection();
      // The application's request quota is spent: Gizwits throttles every call until it refills.
      await simulator('PUT', 'quota', { requestsPerSecond: 0 });
      requests.length = 0;
      const refusal = await adapter.dispatch(control, dids).catch((error: unknown) => error);
      expect(refusal).toMatchObject({
        kind: 'rate_limited',
        vendorCode: '9041',
        vendorMessage: 'request was throttled',
        refusedUpFront: true,
        transient: true,
      });
      expect((refusal as VendorError).retryAfterMs).toBeGreaterThan(0);
      expect(requests).toHaveLength(1);
    });

    it('9042 device offline: the offline path (marked deviceOffline, not retried, not counted towards the circuit)', async () => {
      const { adapter, transport } = adapterFor(account(baseUrl), { maxAttempts: 3, breakerThreshold: 1 });
      await setOnline(dids[0], false);
      const [outcome] = await adapter.dispatch(control, [dids[0]]);
      expect(outcome).toEqual({
        vendorRef: dids[0],
        status: 'failed',
        error: { code: '9042', message: 'device offline!', deviceOffline: true },
      });
      expect(transport.circuitState).toBe('closed');
      await expect(adapter.client.controlAttrs(dids[0], { switch: true })).rejects.toMatchObject({
        kind: 'unavailable',
        deviceOffline: true,
        transient: false,
      });
    });

    it('keeps a table of every Gizwits Open API code with its kind, and falls back on the HTTP status', () => {
      expect(errorKindOf(9003, 400)).toBe('unauthorized');
      expect(errorKindOf(9004, 400)).toBe('unauthorized');
      expect(errorKindOf(9006, 400)).toBe('unauthorized');
      expect(errorKindOf(9016, 400)).toBe('invalid');
      expect(errorKindOf(9025, 400)).toBe('invalid');
      expect(errorKindOf(9030, 404)).toBe('not_found');
      expect(errorKindOf(9038, 400)).toBe('unauthorized');
      expect(errorKindOf(9041, 400)).toBe('rate_limited');
      expect(errorKindOf(9042, 400)).toBe('unavailable');
      expect(errorKindOf(9220, 404)).toBe('not_found');
      expect(errorKindOf(9221, 400)).toBe('invalid');
    });
  });

  describe('under faults', () => {
    it('retries a data-point control through 5xx, but never resends raw bytes', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl, maxAttempts: 3, breakerThreshold: 100 });
      await adapter.testConnection(); // signed in before the faults start
      sim.setFaults({ errorRate: 1, errorMode: 'http' });
      requests.length = 0;
      const [attrs] = await adapter.dispatch({ type: 'control.datapoints', params: { attrs: { switch: true } } }, [
        dids[0],
      ]);
      expect(attrs).toMatchObject({ status: 'failed', error: { code: '503' } });
      expect(requests).toHaveLength(3);

      requests.length = 0;
      const [raw] = await adapter.dispatch({ type: 'control.raw', params: { raw: [1] } }, [dids[0]]);
      expect(raw).toMatchObject({ status: 'failed', error: { code: '503' } });
      expect(requests).toHaveLength(1);
    });

    it('keeps the vendor’s code and message of an error sent with HTTP 500 (9008), as unavailable', async () => {
      const { adapter } = adapterFor(account(baseUrl), { maxAttempts: 1, breakerThreshold: 100 });
      await adapter.testConnection(); // signed in before the faults start
      sim.setFaults({ errorRate: 1, errorMode: 'vendor' });
      const errors: VendorError[] = [];
      for (let i = 0; i < 10; i++) {
        errors.push(
          (await adapter.getDevice(dids[0]).then(
            () => undefined,
            (thrown: unknown) => thrown,
          )) as VendorError,
        );
      }
      expect(errors.map((error) => [error.kind, error.vendorCode, error.vendorMessage])).toContainEqual([
        'unavailable',
        '9008',
        'server error',
      ]);
      expect(errors.map((error) => error.vendorCode)).not.toContain('500');
    });

    it('reads a malformed answer as transient and retries a read through it', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl, maxAttempts: 3, breakerThreshold: 100 });
      sim.setFaults({ malformedRate: 1 });
      await expect(adapter.getDevice(dids[0])).rejects.toMatchObject({
        kind: 'unavailable',
        vendorCode: 'malformed_json',
      });
      expect(requests).toHaveLength(3);
    });

    it('times out a request that never answers', async () => {
      const { adapter } = adapterFor(account(baseUrl, { timeoutMs: 200 }), { maxAttempts: 1 });
      sim.setFaults({ hangRate: 1 });
      await expect(adapter.getDevice(dids[0])).rejects.toMatchObject({ kind: 'timeout' });
    });

    it('maps 429 to rate_limited with the Retry-After the vendor sent, and refuses the dispatch up front', async () => {
      const { adapter } = adapterFor(account(baseUrl), { maxAttempts: 1 });
      sim.setFaults({ rpsCap: 1 });
      await adapter.getDevice(dids[0]);
      await expect(
        adapter.dispatch({ type: 'control.datapoints', params: { attrs: { switch: true } } }, dids),
      ).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
    });

    it('opens the circuit after consecutive failures and then fails fast', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter, transport } = adapterFor(account(baseUrl), {
        fetchImpl: impl,
        maxAttempts: 1,
        breakerThreshold: 3,
      });
      sim.setFaults({ errorRate: 1, errorMode: 'http' });
      for (let i = 0; i < 3; i++)
        await expect(adapter.getDevice(dids[0])).rejects.toMatchObject({ kind: 'unavailable' });
      expect(transport.circuitState).toBe('open');
      requests.length = 0;
      await expect(adapter.getDevice(dids[0])).rejects.toMatchObject({ vendorCode: 'circuit_open' });
      expect(requests).toHaveLength(0);
    });
  });
});
