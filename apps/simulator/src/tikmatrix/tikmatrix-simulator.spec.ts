/* eslint-disable @typescript-eslint/no-explicit-any -- test answers are read field by field */
import type { FastifyInstance } from 'fastify';
import { SimulatorServer } from '../kit';
import { createTikmatrixSimulator } from './tikmatrix-simulator';

describe('TikMatrix simulator', () => {
  let server: SimulatorServer;
  let app: FastifyInstance;

  beforeEach(async () => {
    server = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 0, seed: 7 });
    app = await server.ready();
  });

  afterEach(async () => {
    await server.close();
  });

  const call = async (method: 'GET' | 'POST' | 'DELETE' | 'PUT', url: string, payload?: unknown) => {
    const response = await app.inject({ method, url, payload: payload as object });
    return { status: response.statusCode, body: response.json() as { code: number; message: string; data: Record<string, any> } };
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  async function until(id: number, statuses: number[]) {
    for (let i = 0; i < 100; i++) {
      const { body } = await call('GET', `/api/v1/task/${id}`);
      if (statuses.includes(body.data.status)) return body.data;
      await settle();
    }
    throw new Error(`task ${id} never reached ${statuses}`);
  }

  it('creates one task per serial in device mode and runs it to completion', async () => {
    const created = await call('POST', '/api/v1/task', {
      serials: ['TMX000001', 'TMX000002'],
      script_name: 'post',
      script_config: { content_type: 0, captions: 'hi', material_list: ['C:/v.mp4'], upload_wait_time: 60 },
    });
    expect(created).toEqual({
      status: 200,
      body: { code: 0, message: 'success', data: { task_ids: [1, 2], created_count: 2 } },
    });
    const first = await until(1, [2, 3]);
    expect(first).toMatchObject({ serial: 'TMX000001', script_name: 'post', source: 'api' });
    expect(first.started_at).not.toBeNull();
  });

  it('creates tasks for accounts in username mode', async () => {
    const { body } = await call('POST', '/api/v1/task', {
      usernames: ['tm_user_3a', 'tm_user_3b'],
      script_name: 'account_warmup',
    });
    expect(body.data.created_count).toBe(2);
    const task = (await call('GET', `/api/v1/task/${body.data.task_ids[0]}`)).body.data;
    expect(task).toMatchObject({ username: 'tm_user_3a', serial: 'TMX000003' });
  });

  it.each([
    [{ script_name: 'post', script_config: { material_list: ['a'] } }, 'serials or usernames is required'],
    [{ serials: ['TMX000001'], script_name: 'dance' }, 'script_name must be one of'],
    [{ serials: ['TMX000001'], script_name: 'post', script_config: { material_list: [] } }, 'material_list'],
    [{ serials: ['TMX000001'], script_name: 'follow', script_config: { target_usernames: 'x' } }, 'target_usernames'],
    [{ serials: ['TMX000001'], script_name: 'login', start_time: '25:00' }, 'start_time'],
  ])('refuses %j with 40001', async (payload, problem) => {
    const { status, body } = await call('POST', '/api/v1/task', payload);
    expect(status).toBe(400);
    expect(body.code).toBe(40001);
    expect(body.message).toContain(problem);
  });

  it('refuses unknown devices with 40401', async () => {
    const { status, body } = await call('POST', '/api/v1/task', { serials: ['TMX999999'], script_name: 'login' });
    expect([status, body.code]).toEqual([404, 40401]);
  });

  it('lists with filters and pages, at most 100 per page', async () => {
    await call('POST', '/api/v1/task', { serials: ['TMX000001', 'TMX000002', 'TMX000003'], script_name: 'profile' });
    await call('POST', '/api/v1/task', { serials: ['TMX000001'], script_name: 'match_account' });
    const page = await call('GET', '/api/v1/task?page=1&page_size=2');
    expect(page.body.data).toMatchObject({ total: 4, page: 1, page_size: 2 });
    expect(page.body.data.tasks).toHaveLength(2);
    const bySerial = await call('GET', '/api/v1/task?serial=TMX000001');
    expect(bySerial.body.data.total).toBe(2);
    const byScript = await call('GET', '/api/v1/task?script_name=profile&source=api');
    expect(byScript.body.data.total).toBe(3);
    const tooBig = await call('GET', '/api/v1/task?page_size=101');
    expect([tooBig.status, tooBig.body.code]).toEqual([400, 40001]);
  });

  it('stops, retries, retries all, deletes and counts', async () => {
    server.setFaults({}); // no faults
    await call('PUT', '/_sim/tikmatrix/devices/TMX000004', { online: false });
    const { body } = await call('POST', '/api/v1/task', { serials: ['TMX000004', 'TMX000005'], script_name: 'login' });
    const [offlineTask, okTask] = body.data.task_ids as number[];
    expect((await until(offlineTask, [3])).error).toBe('device offline');
    await until(okTask, [2, 3]);

    const stats = (await call('GET', '/api/v1/task/stats')).body.data;
    expect(stats.total).toBe(2);
    expect(stats.pending + stats.running + stats.completed + stats.failed).toBe(2);
    expect(stats.failed).toBeGreaterThanOrEqual(1);

    await call('PUT', '/_sim/tikmatrix/devices/TMX000004', { online: true });
    const retried = await call('POST', `/api/v1/task/${offlineTask}/retry`);
    expect(retried.body.code).toBe(0);
    expect(await until(offlineTask, [2, 3])).toMatchObject({ id: offlineTask });

    const notFailed = await call('POST', `/api/v1/task/${okTask}/stop`);
    expect(notFailed.body.code).toBe(40901);

    const retryAll = await call('POST', '/api/v1/task/retry-all');
    expect(retryAll.body.code).toBe(0);

    const deleted = await call('DELETE', '/api/v1/task/batch', { task_ids: [offlineTask, okTask, 999] });
    expect(deleted.body.data.deleted_count).toBe(2);
    expect((await call('GET', `/api/v1/task/${okTask}`)).status).toBe(404);
  });

  it('stops a running task when it is deleted', async () => {
    const slow = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 1000 });
    const slowApp = await slow.ready();
    try {
      const created = await slowApp.inject({
        method: 'POST',
        url: '/api/v1/task',
        payload: { serials: ['TMX000001'], script_name: 'login' },
      });
      const id = created.json().data.task_ids[0];
      const stopped = await slowApp.inject({ method: 'POST', url: `/api/v1/task/${id}/stop` });
      expect(stopped.json().data).toMatchObject({ status: 3, error: 'stopped by user' });
      const removed = await slowApp.inject({ method: 'DELETE', url: `/api/v1/task/${id}` });
      expect(removed.json()).toMatchObject({ code: 0, data: { deleted: true } });
    } finally {
      await slow.close();
    }
  });

  it('answers 40301 to every API call under the Starter plan', async () => {
    expect((await call('GET', '/api/v1/license/check')).body).toMatchObject({ code: 0, data: { api_access: true } });
    await call('PUT', '/_sim/tikmatrix/license', { plan: 'starter' });
    for (const [method, url] of [
      ['GET', '/api/v1/license/check'],
      ['GET', '/api/v1/task'],
      ['POST', '/api/v1/task/retry-all'],
    ] as const) {
      const { status, body } = await call(method, url);
      expect([status, body.code]).toEqual([403, 40301]);
    }
  });
});
