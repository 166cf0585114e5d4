/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read field by field */
import type { FastifyInstance } from 'fastify';
import { SimulatorServer } from '../kit';
import { createEasyclickSimulator, ExecStatus } from './easyclick-simulator';

describe('EasyClick simulator', () => {
  let server: SimulatorServer;
  let app: FastifyInstance;
  const secret = { dataSecret: 'test123' };

  async function start(timeScale: number) {
    server = new SimulatorServer(createEasyclickSimulator, { fleetSize: 12, timeScale });
    app = await server.ready();
  }

  afterEach(async () => {
    await server.close();
  });

  const post = async (url: string, payload: object, headers: Record<string, string> = {}) =>
    (await app.inject({ method: 'POST', url, payload, headers })).json() as any;
  const task = async (taskId: number) =>
    ((await post('/openapi/getTask', secret)) as any[]).find((t) => t.taskId === taskId);

  it('lists tasks with the document fields for the right dataSecret only', async () => {
    await start(0);
    const tasks = await post('/openapi/getTask', secret);
    expect(Array.isArray(tasks)).toBe(true);
    expect(tasks[0]).toMatchObject({
      taskId: 1,
      deviceNos: '',
      execStatus: ExecStatus.Idle,
      valueJson: { keyword: 'fleetgate' },
    });
    expect(JSON.parse(tasks[0].valueConfig)).toEqual([
      { id: 1, key: 'keyword', type: '1', value: 'fleetgate', options: '' },
    ]);
    expect(await post('/openapi/getTask', { dataSecret: 'wrong' })).toMatchObject({ code: 403 });
  });

  it('accepts the no_limit_token header instead of dataSecret', async () => {
    await start(0);
    const tasks = await post('/openapi/getTask', {}, { no_limit_token: 'fleetgate-easyclick-no-limit' });
    expect(tasks).toHaveLength(5);
    expect(await post('/openapi/getTask', {}, { no_limit_token: 'nope' })).toMatchObject({ code: 403 });
  });

  it('starts a task on devices, which run it and take themselves off when done', async () => {
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
    expect(await task(2)).toMatchObject({ deviceNos: '', execStatus: ExecStatus.Idle });
    const runs = (await app.inject({ method: 'GET', url: '/_sim/easyclick/runs' })).json() as any[];
    expect(
      runs
        .filter((run) => run.taskId === 2)
        .map((run) => run.deviceNo)
        .sort(),
    ).toEqual(['001', '002', '003']);
    expect(runs.every((run) => run.finishedAt)).toBe(true);
  });

  it('stops locally (devices keep their place) and remotely (devices are stopped)', async () => {
    await start(1000);
    await post('/openapi/changeTask', { ...secret, taskId: 3, status: 0, addDevices: '004,005' });
    const local = await post('/openapi/changeTask', { ...secret, taskId: 3, status: '1' });
    expect(local.data).toMatchObject({ execStatus: ExecStatus.StoppedLocal, deviceNos: '004,005' });
    const remote = await post('/openapi/changeTask', { ...secret, taskId: 3, status: '2' });
    expect(remote.data.execStatus).toBe(ExecStatus.StoppedRemote);
    const runs = (await app.inject({ method: 'GET', url: '/_sim/easyclick/runs' })).json() as any[];
    expect(runs.filter((run) => run.taskId === 3).every((run) => run.stoppedBy === 'remote')).toBe(true);
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
    expect(changed.data.valueJson).toEqual({ text: 'hello', single: '2222', multi: ['111', '333'] });
  });

  it.each([
    [{ taskId: 'x' }, 400, 'taskId'],
    [{ taskId: 99 }, 404, 'does not exist'],
    [{ taskId: 1, status: '7' }, 400, 'status'],
    [{ taskId: 1, addDevices: '999' }, 404, 'unknown devices'],
    [{ taskId: 1, addParamEx: [{ key: 'k', type: '2', value: 'z', options: ['a'] }] }, 400, 'addParamEx[0].value'],
    [{ taskId: 1, addParamEx: [{ key: 'k', type: '3', value: 'a', options: ['a'] }] }, 400, 'addParamEx[0].value'],
    [{ taskId: 1, addParamEx: [{ key: 'k', type: '9', value: 'a' }] }, 400, 'addParamEx[0].type'],
    [{ taskId: 1, removeParam: 'keyword' }, 400, 'removeParam'],
  ])('refuses %j', async (change, code, problem) => {
    await start(0);
    const answer = await post('/openapi/changeTask', { ...secret, ...change });
    expect(answer.code).toBe(code);
    expect(answer.msg).toContain(problem);
    // Nothing was applied.
    expect((await task(1)).valueJson).toEqual({ keyword: 'fleetgate' });
  });
});
