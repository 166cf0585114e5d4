/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read field by field */
import type { FastifyInstance } from 'fastify';
import { Random, SimulatorServer } from '../kit';
import {
  createEasyclickSimulator,
  EASYCLICK_DEFAULT_NO_LIMIT_TOKEN,
  EasyclickCode,
  type EasyclickSimulatorOptions,
  ExecStatus,
} from './easyclick-simulator';

describe('EasyClick simulator', () => {
  let server: SimulatorServer | undefined;
  let app: FastifyInstance;
  const secret = { dataSecret: 'test123' };

  async function start(timeScale: number, fleetSize = 12, options: EasyclickSimulatorOptions = {}) {
    server = new SimulatorServer((context) => createEasyclickSimulator(context, options), { fleetSize, timeScale, seed: 5 });
    app = await server.ready();
  }

  afterEach(async () => {
    jest.useRealTimers();
    await server?.close();
    server = undefined;
  });

  const post = async (url: string, payload: object, headers: Record<string, string> = {}) =>
    (await app.inject({ method: 'POST', url, payload, headers })).json() as any;
  const tasks = async () => (await post('/openapi/getTask', secret)) as any[];
  const task = async (taskId: number) => (await tasks()).find((candidate) => candidate.taskId === taskId);
  const runs = async () => (await app.inject({ method: 'GET', url: '/_sim/easyclick/runs' })).json() as any[];

  describe('authentication', () => {
    it('lists tasks with the document fields for the right dataSecret only', async () => {
      await start(0);
      const list = await tasks();
      expect(list).toHaveLength(5);
      expect(list[0]).toMatchObject({
        taskId: 1,
        deviceNos: '',
        execStatus: ExecStatus.Idle,
        scheduleTime: null,
        endTime: null,
        valueJson: { keyword: 'fleetgate' },
      });
      expect(list[0].scriptMd5).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.parse(list[0].valueConfig)).toEqual([
        { id: 1, key: 'keyword', type: '1', value: 'fleetgate', options: '' },
      ]);
      const refused = await app.inject({ method: 'POST', url: '/openapi/getTask', payload: { dataSecret: 'wrong' } });
      expect(refused.statusCode).toBe(200);
      expect(refused.json()).toMatchObject({ code: EasyclickCode.Forbidden, data: null });
      expect(await post('/openapi/getTask', {})).toMatchObject({ code: EasyclickCode.Forbidden });
    });

    it('refuses changeTask with a wrong dataSecret and changes nothing', async () => {
      await start(0);
      const refused = await post('/openapi/changeTask', { dataSecret: 'nope', taskId: '1', status: '0' });
      expect(refused).toMatchObject({ code: EasyclickCode.Forbidden });
      expect((await task(1)).execStatus).toBe(ExecStatus.Idle);
    });

    it('accepts the no_limit_token header instead of dataSecret, and no other token', async () => {
      await start(0);
      const list = await post('/openapi/getTask', {}, { no_limit_token: EASYCLICK_DEFAULT_NO_LIMIT_TOKEN });
      expect(list).toHaveLength(5);
      const changed = await post(
        '/openapi/changeTask',
        { taskId: 1, addDevices: '001' },
        { no_limit_token: EASYCLICK_DEFAULT_NO_LIMIT_TOKEN },
      );
      expect(changed).toMatchObject({ code: EasyclickCode.Ok, data: { deviceNos: '001' } });
      expect(await post('/openapi/getTask', {}, { no_limit_token: 'nope' })).toMatchObject({ code: 403 });
    });

    it('takes the dataSecret from the query string too', async () => {
      await start(0);
      expect(await post('/openapi/getTask?dataSecret=test123', {})).toHaveLength(5);
    });

    it('takes the secrets from its options', async () => {
      await start(0, 12, { dataSecret: 'from-options', noLimitToken: '' });
      expect(await post('/openapi/getTask', { dataSecret: 'from-options' })).toHaveLength(5);
      expect(await post('/openapi/getTask', secret)).toMatchObject({ code: 403 });
      // An empty no_limit_token turns the header off, as in config.toml.
      expect(await post('/openapi/getTask', {}, { no_limit_token: '' })).toMatchObject({ code: 403 });
    });
  });

  describe('task control', () => {
    it("accepts the document's changeTask example as written", async () => {
      await start(1000);
      const example = {
        dataSecret: 'test123',
        taskId: '1',
        status: '0',
        addDevices: '001,002,003',
        removeDevices: '007,009',
        addParamEx: [
          { key: '我是文本', type: '1', value: '我是文本的值' },
          { key: '我是单选框', type: '2', value: '2222', options: ['我是选中', '2222'] },
          { key: '我是多选框', type: '3', value: ['111', '222'], options: ['111', '2222', '333'] },
        ],
        removeParam: ['ke1'],
      };
      const answer = await post('/openapi/changeTask', example);
      expect(answer).toMatchObject({
        code: EasyclickCode.Ok,
        data: { taskId: 1, execStatus: ExecStatus.Running, deviceNos: '001,002,003' },
      });
      expect(answer.data.valueJson).toEqual({
        keyword: 'fleetgate',
        我是文本: '我是文本的值',
        我是单选框: '2222',
        我是多选框: ['111', '222'],
      });
      const config = JSON.parse(answer.data.valueConfig) as any[];
      expect(config.find((entry) => entry.key === '我是多选框')).toMatchObject({
        type: '3',
        options: ['111', '2222', '333'],
      });
    });

    it('answers on the /api/ spelling of the sequence diagram as well', async () => {
      await start(0);
      expect(await post('/api/getTask', secret)).toHaveLength(5);
      expect(await post('/api/changeTask', { ...secret, taskId: 4, addDevices: '002' })).toMatchObject({
        code: 200,
        data: { deviceNos: '002' },
      });
    });

    it('starts a task on devices, which run it and take themselves off when done (timeScale 0)', async () => {
      await start(0);
      const started = await post('/openapi/changeTask', {
        ...secret,
        taskId: '2',
        status: '0',
        addDevices: '001,002,003',
      });
      expect(started).toMatchObject({
        code: 200,
        data: { taskId: 2, execStatus: ExecStatus.Running, deviceNos: '001,002,003' },
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
      const done = await task(2);
      expect(done).toMatchObject({ deviceNos: '', execStatus: ExecStatus.Idle });
      expect(done.endTime).not.toBeNull();
      const taskRuns = (await runs()).filter((run) => run.taskId === 2);
      expect(taskRuns.map((run) => run.deviceNo).sort()).toEqual(['001', '002', '003']);
      expect(taskRuns.every((run) => run.finishedAt && !run.stoppedBy)).toBe(true);
    });

    it('keeps devices on the task while they run, scaled by timeScale, then lets them leave', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      await start(1);
      await post('/openapi/changeTask', { ...secret, taskId: 5, status: 0, addDevices: '010,011' });
      await jest.advanceTimersByTimeAsync(1_999);
      expect(await task(5)).toMatchObject({ execStatus: ExecStatus.Running, deviceNos: '010,011' });
      // A device added to a running task starts its own run.
      await post('/openapi/changeTask', { ...secret, taskId: 5, addDevices: '012' });
      await jest.advanceTimersByTimeAsync(1);
      expect(await task(5)).toMatchObject({ execStatus: ExecStatus.Running, deviceNos: '012' });
      await jest.advanceTimersByTimeAsync(2_000);
      expect(await task(5)).toMatchObject({ execStatus: ExecStatus.Idle, deviceNos: '' });
    });

    it('stops locally (devices keep their place) and remotely (devices are stopped)', async () => {
      await start(1000);
      await post('/openapi/changeTask', { ...secret, taskId: 3, status: 0, addDevices: '004,005' });
      const local = await post('/openapi/changeTask', { ...secret, taskId: 3, status: '1' });
      expect(local.data).toMatchObject({ execStatus: ExecStatus.StoppedLocal, deviceNos: '004,005' });
      expect(local.data.endTime).not.toBeNull();
      const remote = await post('/openapi/changeTask', { ...secret, taskId: 3, status: '2' });
      expect(remote.data.execStatus).toBe(ExecStatus.StoppedRemote);
      const taskRuns = (await runs()).filter((run) => run.taskId === 3);
      expect(taskRuns).toHaveLength(2);
      expect(taskRuns.every((run) => run.stoppedBy === 'remote' && run.finishedAt)).toBe(true);
      // Started again, the devices still on it run once more.
      const restarted = await post('/openapi/changeTask', { ...secret, taskId: 3, status: '0' });
      expect(restarted.data).toMatchObject({ execStatus: ExecStatus.Running, endTime: null });
      expect((await runs()).filter((run) => run.taskId === 3 && !run.finishedAt)).toHaveLength(2);
    });

    it('adds and removes devices and typed parameters', async () => {
      await start(1000);
      const changed = await post('/openapi/changeTask', {
        ...secret,
        taskId: '1',
        addDevices: '001,002,003',
        removeDevices: '002',
        addParamEx: [
          { key: 'text', type: '1', value: 'hello' },
          { key: 'single', type: '2', value: '2222', options: ['a', '2222'] },
          { key: 'multi', type: '3', value: ['111', '333'], options: ['111', '2222', '333'] },
        ],
        removeParam: ['keyword'],
      });
      expect(changed.code).toBe(200);
      expect(changed.data.deviceNos).toBe('001,003');
      expect(changed.data.execStatus).toBe(ExecStatus.Idle);
      expect(changed.data.valueJson).toEqual({ text: 'hello', single: '2222', multi: ['111', '333'] });

      const removed = await post('/openapi/changeTask', {
        ...secret,
        taskId: 1,
        removeDevices: ['001'],
        removeParam: 'text,multi',
      });
      expect(removed.data.deviceNos).toBe('003');
      expect(removed.data.valueJson).toEqual({ single: '2222' });
    });

    it('replaces a parameter added again under the same key', async () => {
      await start(0);
      const answer = await post('/openapi/changeTask', {
        ...secret,
        taskId: 1,
        addParamEx: [{ key: 'keyword', type: 1, value: 'second' }],
      });
      expect(answer.data.valueJson).toEqual({ keyword: 'second' });
      expect(JSON.parse(answer.data.valueConfig)).toHaveLength(1);
    });

    it('takes the looser forms of parameters: type "" as text, options and values as JSON strings, addParam', async () => {
      await start(0);
      const answer = await post('/openapi/changeTask', {
        ...secret,
        taskId: 2,
        addParamEx: [
          { key: 'a', type: '', value: '111333', options: '111' },
          { key: 'b', type: '2', value: '111', options: '["111","2"]' },
          { key: 'c', type: '3', value: '["x"]', options: '["x","y"]' },
        ],
        addParam: { ke1: ['111', '222'], ke2: 'plain' },
      });
      expect(answer.code).toBe(200);
      expect(answer.data.valueJson).toEqual({
        keyword: 'fleetgate',
        a: '111333',
        b: '111',
        c: ['x'],
        ke1: ['111', '222'],
        ke2: 'plain',
      });
    });

    it.each([
      [{ taskId: 'x' }, 400, 'taskId'],
      [{}, 400, 'taskId'],
      [{ taskId: 99 }, 404, 'does not exist'],
      [{ taskId: 1, status: '7' }, 400, 'status'],
      [{ taskId: 1, addDevices: '999' }, 404, 'unknown devices'],
      [{ taskId: 1, addDevices: 5 }, 400, 'addDevices'],
      [{ taskId: 1, addParamEx: { key: 'k' } }, 400, 'addParamEx must be an array'],
      [{ taskId: 1, addParamEx: [{ type: '1', value: 'v' }] }, 400, 'addParamEx[0].key'],
      [{ taskId: 1, addParamEx: [{ key: 'k', type: '1', value: ['v'] }] }, 400, 'addParamEx[0].value'],
      [{ taskId: 1, addParamEx: [{ key: 'k', type: '2', value: 'z', options: ['a'] }] }, 400, 'addParamEx[0].value'],
      [{ taskId: 1, addParamEx: [{ key: 'k', type: '2', value: 'a' }] }, 400, 'addParamEx[0].options'],
      [{ taskId: 1, addParamEx: [{ key: 'k', type: '3', value: 'a', options: ['a'] }] }, 400, 'addParamEx[0].value'],
      [{ taskId: 1, addParamEx: [{ key: 'k', type: '9', value: 'a' }] }, 400, 'addParamEx[0].type'],
      [{ taskId: 1, addParam: { k: 3 } }, 400, 'addParam.k'],
      [{ taskId: 1, removeParam: [1] }, 400, 'removeParam'],
    ])('refuses %j and applies none of it', async (change, code, problem) => {
      await start(0);
      const answer = await post('/openapi/changeTask', { ...secret, addDevices: '001', status: '0', ...change });
      expect(answer.code).toBe(code);
      expect(answer.msg).toContain(problem);
      expect(answer.data).toBeNull();
      expect(await task(1)).toMatchObject({
        execStatus: ExecStatus.Idle,
        deviceNos: '',
        valueJson: { keyword: 'fleetgate' },
      });
    });
  });

  describe('fleet', () => {
    it('seeds the fleet size in devices, 100,000 included', async () => {
      await start(0, 100_000);
      const devices = (await app.inject({ method: 'GET', url: '/_sim/easyclick/devices' })).json();
      expect(devices.count).toBe(100_000);
      expect(devices.first.slice(0, 2)).toEqual(['001', '002']);
      const answer = await post('/openapi/changeTask', { ...secret, taskId: 1, addDevices: '100000' });
      expect(answer.data.deviceNos).toBe('100000');
      expect(await post('/openapi/changeTask', { ...secret, taskId: 1, addDevices: '100001' })).toMatchObject({
        code: 404,
      });
    });

    it('is the same for the same seed, and reset() forgets changes and rebuilds it', async () => {
      await start(1000);
      const before = await tasks();
      const other = new SimulatorServer(createEasyclickSimulator, { fleetSize: 12, timeScale: 0, seed: 5 });
      const otherApp = await other.ready();
      const twin = (await otherApp.inject({ method: 'POST', url: '/openapi/getTask', payload: secret })).json();
      await other.close();
      expect(twin).toEqual(before);

      await post('/openapi/changeTask', { ...secret, taskId: 1, status: '0', addDevices: '001' });
      await app.inject({ method: 'POST', url: '/_sim/reset' });
      expect(await tasks()).toEqual(before);
      expect(await runs()).toEqual([]);
    });

    it('answers failures in its own envelope for the error fault', async () => {
      await start(0);
      const failure = server!.simulator.vendorError(new Random(2));
      expect([200, 500]).toContain(failure.status);
      expect(failure.body).toMatchObject({ code: EasyclickCode.Internal, data: null });
      expect(typeof (failure.body as any).msg).toBe('string');
    });

    it('clears its timers on close', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      await start(1);
      await post('/openapi/changeTask', { ...secret, taskId: 1, status: '0', addDevices: '001,002' });
      expect(jest.getTimerCount()).toBeGreaterThanOrEqual(2);
      server!.simulator.close();
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
