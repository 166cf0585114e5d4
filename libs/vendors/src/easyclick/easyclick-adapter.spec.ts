import { createEasyclickSimulator, EASYCLICK_DEFAULT_NO_LIMIT_TOKEN, SimulatorServer } from '@fleetgate/simulators';
import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError } from '../core/vendor-error';
import { recordingFetch, testAccount, testTransport } from '../core/adapter-test-kit';
import type { VendorTransportOptions } from '../core/vendor-transport';
import { EasyclickAdapter } from './easyclick-adapter';
import { EasyclickClient } from './easyclick-client';
import { easyclickVendor } from './easyclick.definition';

function account(baseUrl: string, overrides: Partial<VendorAccountConfig> = {}): VendorAccountConfig {
  return testAccount('easyclick', baseUrl, { dataSecret: 'test123' }, overrides);
}

function adapterFor(config: VendorAccountConfig, options: Partial<VendorTransportOptions> = {}) {
  const transport = testTransport(config, options);
  return { adapter: new EasyclickAdapter(new EasyclickClient(config, transport)), transport };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

describe('EasyclickAdapter against the EasyClick simulator', () => {
  let sim: SimulatorServer;
  let baseUrl: string;

  beforeEach(async () => {
    sim = new SimulatorServer(createEasyclickSimulator, { fleetSize: 10, timeScale: 0, seed: 3 });
    baseUrl = await sim.listen(0);
  });

  afterEach(async () => {
    await sim.close();
  });

  it('is what the definition creates, and refuses an account without a secret or token', () => {
    const config = account(baseUrl);
    const transport = testTransport(config);
    expect(easyclickVendor.createAdapter(config, transport)).toBeInstanceOf(EasyclickAdapter);
    expect(() => new EasyclickClient(account(baseUrl, { credentials: {} }), transport)).toThrow(
      expect.objectContaining({ kind: 'unauthorized', vendorCode: 'credentials' }),
    );
  });

  describe('requests as the document writes them', () => {
    it('getTask: POST /openapi/getTask with the dataSecret in a JSON body', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      await adapter.testConnection();
      expect(requests).toEqual([
        {
          method: 'POST',
          url: `${baseUrl}/openapi/getTask`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ dataSecret: 'test123' }),
        },
      ]);
    });

    it('changeTask: the document’s example fields (taskId as a string, devices comma-separated, typed parameters)', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      await adapter.dispatch({ type: 'script.start', params: { script: 'demo', taskId: '1' } }, ['001', '002', '003']);
      await adapter.dispatch({ type: 'script.devices.remove', params: { taskId: '1' } }, ['007', '009']);
      await adapter.dispatch(
        {
          type: 'script.params.add',
          params: {
            taskId: '1',
            params: [
              { name: '我是文本', type: 'text', value: '我是文本的值' },
              { name: '我是单选框', type: 'single', value: '2222', options: ['我是选中', '2222'] },
              { name: '我是多选框', type: 'multiple', value: ['111', '222'], options: ['111', '2222', '333'] },
            ],
          },
        },
        ['001'],
      );
      await adapter.dispatch({ type: 'script.params.remove', params: { taskId: '1', names: ['ke1'] } }, ['001']);
      expect(requests.map((request) => [request.method, request.url])).toEqual(
        Array(4).fill(['POST', `${baseUrl}/openapi/changeTask`]),
      );
      expect(requests.map((request) => JSON.parse(request.body!))).toEqual([
        { dataSecret: 'test123', taskId: '1', addDevices: '001,002,003', status: '0' },
        { dataSecret: 'test123', taskId: '1', removeDevices: '007,009' },
        {
          dataSecret: 'test123',
          taskId: '1',
          addParamEx: [
            { key: '我是文本', type: '1', value: '我是文本的值' },
            { key: '我是单选框', type: '2', value: '2222', options: ['我是选中', '2222'] },
            { key: '我是多选框', type: '3', value: ['111', '222'], options: ['111', '2222', '333'] },
          ],
        },
        { dataSecret: 'test123', taskId: '1', removeParam: ['ke1'] },
      ]);
    });

    it('sends the no_limit_token header when the account has a token instead of a secret', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(
        account(baseUrl, { credentials: { noLimitToken: EASYCLICK_DEFAULT_NO_LIMIT_TOKEN } }),
        {
          fetchImpl: impl,
        },
      );
      await adapter.testConnection();
      expect(requests[0].headers).toEqual({
        'content-type': 'application/json',
        no_limit_token: EASYCLICK_DEFAULT_NO_LIMIT_TOKEN,
      });
      expect(JSON.parse(requests[0].body!)).toEqual({});
    });
  });

  it('starts a task on devices and follows each device until it leaves the task', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    const outcomes = await adapter.dispatch({ type: 'script.start', params: { script: 'x', taskId: '2' } }, [
      '001',
      '002',
    ]);
    expect(outcomes).toEqual([
      { vendorRef: '001', vendorTaskId: '2:001', status: 'running' },
      { vendorRef: '002', vendorTaskId: '2:002', status: 'running' },
    ]);
    const progress = await until(
      () => adapter.pollTasks(['2:001', '2:002']),
      (entries) => entries.every((entry) => entry.status === 'succeeded'),
    );
    expect(progress.map((entry) => [entry.vendorRef, entry.status])).toEqual([
      ['001', 'succeeded'],
      ['002', 'succeeded'],
    ]);
  });

  it('stops a running task remotely, and cancel takes a device off its task', async () => {
    await sim.close();
    sim = new SimulatorServer(createEasyclickSimulator, { fleetSize: 10, timeScale: 1000, seed: 3 });
    baseUrl = await sim.listen(0);
    const { adapter } = adapterFor(account(baseUrl));
    await adapter.dispatch({ type: 'script.start', params: { script: 'x', taskId: '3' } }, ['001', '002']);
    await adapter.cancelTasks(['3:002']);
    const [first, second] = await adapter.pollTasks(['3:001', '3:002']);
    expect(first).toMatchObject({ status: 'running', vendorStatus: 1 });
    expect(second).toMatchObject({ status: 'succeeded' }); // off the task: Fleetgate marks it cancelled itself
    const stopped = await adapter.dispatch({ type: 'script.stop', params: { taskId: '3' } }, ['001']);
    expect(stopped).toEqual([{ vendorRef: '001', status: 'succeeded', result: { taskId: '3' } }]);
    expect((await adapter.pollTasks(['3:001']))[0]).toMatchObject({ status: 'cancelled', vendorStatus: 3 });
  });

  it('adds and removes devices and parameters, as getTask then shows them', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await adapter.dispatch({ type: 'script.devices.add', params: { taskId: '4' } }, ['005', '006']);
    await adapter.dispatch({ type: 'script.devices.remove', params: { taskId: '4' } }, ['005']);
    await adapter.dispatch(
      { type: 'script.params.add', params: { taskId: '4', params: [{ name: 'city', type: 'text', value: 'Paris' }] } },
      [],
    );
    const task = (await adapter.client.getTask()).find((entry) => entry.taskId === 4)!;
    expect(task.deviceNos).toBe('006');
    expect(task.valueJson).toMatchObject({ city: 'Paris' });
    await adapter.dispatch({ type: 'script.params.remove', params: { taskId: '4', names: ['city'] } }, []);
    const after = (await adapter.client.getTask()).find((entry) => entry.taskId === 4)!;
    expect(after.valueJson).not.toHaveProperty('city');
  });

  it('keeps the vendor’s code and message: 403 for a wrong secret, 404 for an unknown task or device', async () => {
    const { adapter: wrong } = adapterFor(account(baseUrl, { credentials: { dataSecret: 'nope' } }));
    await expect(wrong.testConnection()).rejects.toMatchObject({ kind: 'unauthorized', vendorCode: '403' });
    const { adapter } = adapterFor(account(baseUrl));
    await expect(
      adapter.dispatch({ type: 'script.start', params: { script: 'x', taskId: '999' } }, ['001']),
    ).rejects.toMatchObject({ kind: 'not_found', vendorCode: '404' });
    await expect(
      adapter.dispatch({ type: 'script.devices.add', params: { taskId: '1' } }, ['no-such-device']),
    ).rejects.toMatchObject({ kind: 'not_found', vendorCode: '404' });
    await expect(adapter.dispatch({ type: 'script.stop', params: { taskId: 'abc' } }, ['001'])).rejects.toMatchObject({
      kind: 'invalid',
      vendorCode: 'taskId',
    });
  });

  describe('changeTask answers the document does not show (read liberally)', () => {
    /** An EasyClick cloud whose changeTask answers `answer` with HTTP `status`. */
    function cloudAnswering(status: number, answer: string) {
      const config = account('http://easyclick.invalid');
      const fetchImpl: typeof fetch = async () => new Response(answer, { status });
      return new EasyclickAdapter(new EasyclickClient(config, testTransport(config, { fetchImpl, maxAttempts: 1 })));
    }
    const stop = { type: 'script.stop', params: { taskId: '11' } } as const;

    it.each([
      ['{code: 0, msg: "success"}', '{"code":0,"msg":"success"}'],
      ['{code: 200, msg, data}', '{"code":200,"msg":"操作成功","data":null}'],
      ['a string code "200"', '{"code":"200","msg":"ok"}'],
      ['{msg} without a code', '{"msg":"success"}'],
      ['an empty body', ''],
    ])('takes %s as success', async (_name, answer) => {
      await expect(cloudAnswering(200, answer).dispatch(stop, ['001'])).resolves.toEqual([
        { vendorRef: '001', status: 'succeeded', result: { taskId: '11' } },
      ]);
    });

    it.each([
      ['{code: 500}', 200, '{"code":500,"msg":"任务不存在"}', 'unavailable', '500'],
      ['{code: 401}', 200, '{"code":401,"msg":"密钥错误"}', 'unauthorized', '401'],
      ['{code: -1}', 200, '{"code":-1,"msg":"failed"}', 'vendor_error', '-1'],
      ['HTTP 404 without a body', 404, '', 'not_found', '404'],
    ])('takes %s as an error, keeping its code and message', async (_name, status, answer, kind, code) => {
      await expect(cloudAnswering(status, answer).dispatch(stop, ['001'])).rejects.toMatchObject({
        kind,
        vendorCode: code,
      });
    });
  });

  it('refuses what EasyClick cannot do instead of doing nothing', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await expect(adapter.listDevices()).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(adapter.dispatch({ type: 'device.reboot', params: {} }, ['001'])).rejects.toMatchObject({
      kind: 'unsupported',
      vendorMessage: 'easyclick does not support device.reboot',
    });
    expect(() => adapter.parseCallback()).toThrow(VendorError);
  });

  describe('under faults', () => {
    it('retries a safe change and a read through 5xx, but never resends a start', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl, maxAttempts: 3, breakerThreshold: 100 });
      sim.setFaults({ errorRate: 1, errorMode: 'http' });
      await expect(adapter.pollTasks(['1:001'])).rejects.toMatchObject({ kind: 'unavailable', vendorCode: '503' });
      expect(requests).toHaveLength(3);
      requests.length = 0;
      await expect(
        adapter.dispatch({ type: 'script.devices.add', params: { taskId: '1' } }, ['001']),
      ).rejects.toMatchObject({ kind: 'unavailable' });
      expect(requests).toHaveLength(3);
      requests.length = 0;
      await expect(
        adapter.dispatch({ type: 'script.start', params: { script: 'x', taskId: '1' } }, ['001']),
      ).rejects.toMatchObject({ kind: 'unavailable' });
      expect(requests).toHaveLength(1);
    });

    it('times out, maps 429 with its Retry-After, and reads malformed JSON as transient', async () => {
      const { adapter: hanging } = adapterFor(account(baseUrl, { timeoutMs: 200 }), { maxAttempts: 1 });
      sim.setFaults({ hangRate: 1 });
      await expect(hanging.testConnection()).rejects.toMatchObject({ kind: 'timeout' });
      sim.setFaults({ hangRate: 0, rpsCap: 1 });
      const { adapter } = adapterFor(account(baseUrl), { maxAttempts: 1 });
      await adapter.testConnection();
      await expect(adapter.testConnection()).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
      sim.setFaults({ rpsCap: 0, malformedRate: 1 });
      await expect(adapter.testConnection()).rejects.toMatchObject({
        kind: 'unavailable',
        vendorCode: 'malformed_json',
      });
    });
  });
});
