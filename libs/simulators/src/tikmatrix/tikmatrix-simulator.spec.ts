/* eslint-disable @typescript-eslint/no-explicit-any -- test answers are read field by field */
import type { FastifyInstance } from 'fastify';
import { Random, SimulatorServer } from '../kit';
import { createTikmatrixSimulator, TikmatrixCode, type TikmatrixSimulatorOptions } from './tikmatrix-simulator';

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT';

describe('TikMatrix simulator', () => {
  let server: SimulatorServer;
  let app: FastifyInstance;

  async function start(timeScale: number, fleetSize = 10, options: TikmatrixSimulatorOptions = {}) {
    server = new SimulatorServer((context) => createTikmatrixSimulator(context, options), { fleetSize, timeScale, seed: 7 });
    app = await server.ready();
  }

  afterEach(async () => {
    jest.useRealTimers();
    await server.close();
  });

  const call = async (method: Method, url: string, payload?: unknown) => {
    const response = await app.inject({ method, url, payload: payload as object });
    return {
      status: response.statusCode,
      body: response.json() as { code: number; message: string; data: Record<string, any> },
    };
  };
  const detail = async (id: number) => (await call('GET', `/api/v1/task/${id}`)).body.data;
  const stats = async () => (await call('GET', '/api/v1/task/stats')).body.data;
  const create = async (payload: object) =>
    (await call('POST', '/api/v1/task', payload)).body.data.task_ids as number[];
  /** Fake timers drive the scaled durations; Fastify's inject still needs real ticks. */
  const useFakeClock = (now = new Date(2026, 0, 5, 9, 0, 0)) =>
    jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });

  async function until(id: number, statuses: number[]) {
    for (let i = 0; i < 100; i++) {
      const task = await detail(id);
      if (statuses.includes(task.status)) return task;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`task ${id} never reached ${statuses.join('/')}`);
  }

  describe('create', () => {
    beforeEach(() => start(0));

    it("answers the document's example as it does: two task ids for one serial, one per account on it", async () => {
      const created = await call('POST', '/api/v1/task', {
        serials: ['TMX000001'],
        script_name: 'post',
        script_config: {
          content_type: 0,
          captions: '看看我的新视频!#热门 #推荐',
          material_list: ['C:/Videos/video1.mp4'],
          upload_wait_time: 60,
        },
      });
      expect(created).toEqual({
        status: 200,
        body: { code: 0, message: 'success', data: { task_ids: [1, 2], created_count: 2 } },
      });
      expect(await detail(2)).toMatchObject({ id: 2, serial: 'TMX000001', username: 'tm_user_1b' });
      expect(await detail(1)).toMatchObject({
        id: 1,
        serial: 'TMX000001',
        username: 'tm_user_1a',
        script_name: 'post',
        source: 'api',
        enable_multi_account: false,
        script_config: { material_list: ['C:/Videos/video1.mp4'] },
      });
    });

    it('creates one task per username in account mode, on the device the account lives on', async () => {
      const ids = await create({ usernames: ['tm_user_3a', 'tm_user_3b'], script_name: 'account_warmup' });
      expect(ids).toHaveLength(2);
      expect(await detail(ids[0])).toMatchObject({ username: 'tm_user_3a', serial: 'TMX000003' });
      expect(await detail(ids[1])).toMatchObject({ username: 'tm_user_3b', serial: 'TMX000003' });
    });

    it('creates one task per account of each device in multi-account mode', async () => {
      const created = await call('POST', '/api/v1/task', {
        serials: ['TMX000004', 'TMX000005'],
        script_name: 'follow',
        script_config: { target_usernames: ['someone'] },
        enable_multi_account: true,
      });
      expect(created.body.data.created_count).toBe(4);
      const tasks = await Promise.all((created.body.data.task_ids as number[]).map(detail));
      expect(tasks.map((task) => [task.serial, task.username, task.enable_multi_account])).toEqual([
        ['TMX000004', 'tm_user_4a', true],
        ['TMX000004', 'tm_user_4b', true],
        ['TMX000005', 'tm_user_5a', true],
        ['TMX000005', 'tm_user_5b', true],
      ]);
    });

    it('accepts every listed script with a fitting config', async () => {
      const configs: Record<string, object | undefined> = {
        post: { content_type: 1, material_list: ['C:/a.jpg'] },
        follow: { target_usernames: ['a'] },
        unfollow: { count: 5 },
        account_warmup: { duration: 10 },
        comment: { comment_content: ['nice'], post_urls: ['https://t.example/v/1'] },
        login: { username: 'u', password: 'p' },
        profile: { nickname: 'n' },
        match_account: undefined,
      };
      for (const [script_name, script_config] of Object.entries(configs)) {
        const { status, body } = await call('POST', '/api/v1/task', {
          serials: ['TMX000001'],
          script_name,
          ...(script_config ? { script_config } : {}),
          start_time: '23:59',
          min_interval: 1,
          max_interval: 5,
        });
        expect([script_name, status, body.code]).toEqual([script_name, 200, 0]);
      }
    });

    it.each([
      [{ script_name: 'post', script_config: { material_list: ['a'] } }, 'serials or usernames is required'],
      [{ serials: [], usernames: [], script_name: 'login' }, 'serials or usernames is required'],
      [{ serials: ['TMX000001'], script_name: 'dance' }, 'script_name must be one of'],
      [{ serials: ['TMX000001'], script_name: 'post' }, 'script_config is required'],
      [{ serials: ['TMX000001'], script_name: 'login', script_config: ['x'] }, 'script_config must be an object'],
      [{ serials: ['TMX000001'], script_name: 'post', script_config: { material_list: [] } }, 'material_list'],
      [
        { serials: ['TMX000001'], script_name: 'post', script_config: { material_list: ['a'], content_type: 2 } },
        'content_type',
      ],
      [
        { serials: ['TMX000001'], script_name: 'post', script_config: { material_list: ['a'], upload_wait_time: -1 } },
        'upload_wait_time',
      ],
      [{ serials: ['TMX000001'], script_name: 'follow', script_config: { target_usernames: 'x' } }, 'target_usernames'],
      [{ serials: ['TMX000001'], script_name: 'unfollow', script_config: { count: 0 } }, 'count'],
      [{ serials: ['TMX000001'], script_name: 'comment', script_config: { comment_content: 'x' } }, 'comment_content'],
      [{ serials: ['TMX000001'], script_name: 'account_warmup', script_config: { duration: 'x' } }, 'duration'],
      [{ serials: ['TMX000001'], script_name: 'profile', script_config: { nickname: 3 } }, 'nickname'],
      [{ serials: ['TMX000001'], script_name: 'login', start_time: '25:00' }, 'start_time'],
      [{ serials: ['TMX000001'], script_name: 'login', enable_multi_account: 'yes' }, 'enable_multi_account'],
      [{ serials: ['TMX000001'], script_name: 'login', min_interval: -1 }, 'min_interval'],
    ])('refuses %j with 40001', async (payload, problem) => {
      const { status, body } = await call('POST', '/api/v1/task', payload);
      expect([status, body.code, body.data]).toEqual([400, TikmatrixCode.InvalidParameter, null]);
      expect(body.message).toContain(problem);
      expect((await stats()).total).toBe(0);
    });

    it('refuses unknown devices and accounts with 40401, creating nothing', async () => {
      const device = await call('POST', '/api/v1/task', { serials: ['TMX000001', 'TMX999999'], script_name: 'login' });
      expect([device.status, device.body.code]).toEqual([404, TikmatrixCode.NotFound]);
      expect(device.body.message).toContain('TMX999999');
      const account = await call('POST', '/api/v1/task', { usernames: ['nobody'], script_name: 'login' });
      expect([account.status, account.body.code]).toEqual([404, TikmatrixCode.NotFound]);
      expect((await stats()).total).toBe(0);
    });
  });

  describe('list and detail', () => {
    beforeEach(() => start(1000));

    it('lists with filters and pages, newest first, at most 100 per page', async () => {
      await create({ serials: ['TMX000001', 'TMX000002', 'TMX000003'], script_name: 'profile' });
      await create({ serials: ['TMX000001'], script_name: 'match_account' });
      await create({ usernames: ['tm_user_2a'], script_name: 'login' });

      const first = (await call('GET', '/api/v1/task?page=1&page_size=2')).body.data;
      // Device mode: a task per account on each device (two each); account mode: one per username.
      expect(first).toMatchObject({ total: 9, page: 1, page_size: 2 });
      expect(first.tasks.map((task: any) => task.id)).toEqual([9, 8]);
      const last = (await call('GET', '/api/v1/task?page=5&page_size=2')).body.data;
      expect(last.tasks.map((task: any) => task.id)).toEqual([1]);
      const defaults = (await call('GET', '/api/v1/task')).body.data;
      expect(defaults).toMatchObject({ total: 9, page: 1, page_size: 20 });

      expect((await call('GET', '/api/v1/task?serial=TMX000001')).body.data.total).toBe(4);
      expect((await call('GET', '/api/v1/task?script_name=profile&source=api')).body.data.total).toBe(6);
      expect((await call('GET', '/api/v1/task?source=ui')).body.data.total).toBe(0);
      expect((await call('GET', '/api/v1/task?status=0')).body.data.total).toBe(9);
      expect((await call('GET', '/api/v1/task?status=2')).body.data.total).toBe(0);
      expect((await call('GET', '/api/v1/task?page_size=100')).body.code).toBe(0);
    });

    it.each([
      ['page_size=101', 'page_size'],
      ['page_size=0', 'page_size'],
      ['page=0', 'page'],
      ['status=4', 'status'],
      ['status=x', 'status'],
    ])('refuses ?%s with 40001', async (query, field) => {
      const { status, body } = await call('GET', `/api/v1/task?${query}`);
      expect([status, body.code]).toEqual([400, TikmatrixCode.InvalidParameter]);
      expect(body.message).toContain(field);
    });

    it('answers 40401 for a task that does not exist', async () => {
      for (const [method, url] of [
        ['GET', '/api/v1/task/42'],
        ['DELETE', '/api/v1/task/42'],
        ['POST', '/api/v1/task/42/stop'],
        ['POST', '/api/v1/task/42/retry'],
      ] as const) {
        const { status, body } = await call(method, url);
        expect([method, url, status, body.code]).toEqual([method, url, 404, TikmatrixCode.NotFound]);
      }
    });
  });

  describe('status transitions', () => {
    it('moves a task 0 → 1 → 2 on the scaled clock', async () => {
      useFakeClock();
      await start(1);
      await call('PUT', '/_sim/tikmatrix/failure-rate', { rate: 0 });
      const [id] = await create({ serials: ['TMX000001'], script_name: 'login' });
      await jest.advanceTimersByTimeAsync(999);
      expect(await detail(id)).toMatchObject({ status: 0, started_at: null });
      await jest.advanceTimersByTimeAsync(1);
      expect(await detail(id)).toMatchObject({ status: 1, finished_at: null });
      expect((await detail(id)).started_at).not.toBeNull();
      await jest.advanceTimersByTimeAsync(2_999);
      expect((await detail(id)).status).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(await detail(id)).toMatchObject({ status: 2, error: null });
      expect((await detail(id)).finished_at).not.toBeNull();
    });

    it('fails a task whose device is offline, or whose script errs (0 → 1 → 3)', async () => {
      await start(0);
      await call('PUT', '/_sim/tikmatrix/devices/TMX000004', { online: false });
      const [offline] = await create({ serials: ['TMX000004'], script_name: 'login' });
      expect(await until(offline, [3])).toMatchObject({ error: 'device offline' });

      await call('PUT', '/_sim/tikmatrix/failure-rate', { rate: 1 });
      const [erring] = await create({ serials: ['TMX000005'], script_name: 'login' });
      expect(await until(erring, [3])).toMatchObject({ error: 'script error' });
      expect((await detail(erring)).started_at).not.toBeNull();
    });

    it('keeps a task pending until its start_time, then runs it', async () => {
      useFakeClock(new Date(2026, 0, 5, 9, 0, 0));
      await start(1);
      await call('PUT', '/_sim/tikmatrix/failure-rate', { rate: 0 });
      const [later] = await create({ serials: ['TMX000001'], script_name: 'login', start_time: '09:30' });
      const [now] = await create({ serials: ['TMX000002'], script_name: 'login' });
      await jest.advanceTimersByTimeAsync(30 * 60 * 1000);
      expect((await detail(now)).status).toBe(2);
      expect(await detail(later)).toMatchObject({ status: 0, start_time: '09:30' });
      await jest.advanceTimersByTimeAsync(1_000);
      expect((await detail(later)).status).toBe(1);
    });

    it('stops, retries, retries all and counts', async () => {
      useFakeClock();
      await start(1);
      await call('PUT', '/_sim/tikmatrix/failure-rate', { rate: 0 });
      const ids = await create({
        usernames: ['tm_user_1a', 'tm_user_2a', 'tm_user_3a', 'tm_user_4a'],
        script_name: 'login',
      });
      expect(await stats()).toEqual({ total: 4, pending: 4, running: 0, completed: 0, failed: 0 });

      const stoppedPending = await call('POST', `/api/v1/task/${ids[0]}/stop`);
      expect(stoppedPending.body).toMatchObject({ code: 0, data: { status: 3, error: 'stopped by user' } });
      await jest.advanceTimersByTimeAsync(1_000);
      expect(await stats()).toEqual({ total: 4, pending: 0, running: 3, completed: 0, failed: 1 });

      const stoppedRunning = await call('POST', `/api/v1/task/${ids[1]}/stop`);
      expect(stoppedRunning.body.data).toMatchObject({ status: 3 });
      await jest.advanceTimersByTimeAsync(3_000);
      expect(await stats()).toEqual({ total: 4, pending: 0, running: 0, completed: 2, failed: 2 });

      const notRunning = await call('POST', `/api/v1/task/${ids[2]}/stop`);
      expect([notRunning.status, notRunning.body.code]).toEqual([409, TikmatrixCode.Conflict]);
      const notFailed = await call('POST', `/api/v1/task/${ids[2]}/retry`);
      expect([notFailed.status, notFailed.body.code]).toEqual([409, TikmatrixCode.Conflict]);

      const retried = await call('POST', `/api/v1/task/${ids[0]}/retry`);
      expect(retried.body).toMatchObject({ code: 0, data: { id: ids[0], status: 0, error: null } });
      expect(await stats()).toMatchObject({ pending: 1, failed: 1 });

      const retryAll = await call('POST', '/api/v1/task/retry-all');
      expect(retryAll.body).toMatchObject({ code: 0, data: { retried_count: 1, task_ids: [ids[1]] } });
      expect(await stats()).toEqual({ total: 4, pending: 2, running: 0, completed: 2, failed: 0 });

      await jest.advanceTimersByTimeAsync(4_000);
      expect(await stats()).toEqual({ total: 4, pending: 0, running: 0, completed: 4, failed: 0 });
      expect((await call('POST', '/api/v1/task/retry-all')).body.data).toEqual({ retried_count: 0, task_ids: [] });
    });
  });

  describe('delete', () => {
    it('stops a running task before deleting it, and its timers then leave it alone', async () => {
      useFakeClock();
      await start(1);
      const [id, other] = await create({ usernames: ['tm_user_1a', 'tm_user_2a'], script_name: 'login' });
      await jest.advanceTimersByTimeAsync(1_000);
      expect((await detail(id)).status).toBe(1);
      const removed = await call('DELETE', `/api/v1/task/${id}`);
      expect(removed.body).toMatchObject({ code: 0, data: { task_id: id, deleted: true } });
      expect((await call('GET', `/api/v1/task/${id}`)).status).toBe(404);
      await jest.advanceTimersByTimeAsync(3_000);
      expect(await stats()).toMatchObject({ total: 1, running: 0 });
      expect([2, 3]).toContain((await detail(other)).status);
    });

    it('deletes in batch, skipping unknown ids, from the body or the query', async () => {
      await start(1000);
      const ids = await create({ usernames: ['tm_user_1a', 'tm_user_2a', 'tm_user_3a'], script_name: 'profile' });
      const batch = await call('DELETE', '/api/v1/task/batch', { task_ids: [ids[0], ids[1], 999] });
      expect(batch.body).toMatchObject({ code: 0, data: { deleted_count: 2 } });
      expect((await stats()).total).toBe(1);
      const byQuery = await call('DELETE', `/api/v1/task/batch?task_ids=${ids[2]}`);
      expect(byQuery.body.data.deleted_count).toBe(1);
      expect((await stats()).total).toBe(0);

      for (const payload of [{ task_ids: [] }, { task_ids: ['a'] }, {}]) {
        const refused = await call('DELETE', '/api/v1/task/batch', payload);
        expect([refused.status, refused.body.code]).toEqual([400, TikmatrixCode.InvalidParameter]);
        expect(refused.body.message).toContain('task_ids');
      }
    });
  });

  describe('license', () => {
    it('checks the license, and answers 40301 to every API call under the Starter plan', async () => {
      await start(0);
      const [id] = await create({ usernames: ['tm_user_1a'], script_name: 'login' });
      expect((await call('GET', '/api/v1/license/check')).body).toMatchObject({
        code: 0,
        message: 'success',
        data: { plan: 'pro', api_access: true },
      });

      expect((await call('PUT', '/_sim/tikmatrix/license', { plan: 'starter' })).body).toEqual({ plan: 'starter' });
      const everyCall: Array<[Method, string, unknown?]> = [
        ['GET', '/api/v1/license/check'],
        ['POST', '/api/v1/task', { serials: ['TMX000001'], script_name: 'login' }],
        ['GET', '/api/v1/task'],
        ['GET', `/api/v1/task/${id}`],
        ['GET', '/api/v1/task/stats'],
        ['POST', `/api/v1/task/${id}/stop`],
        ['POST', `/api/v1/task/${id}/retry`],
        ['POST', '/api/v1/task/retry-all'],
        ['DELETE', '/api/v1/task/batch', { task_ids: [id] }],
        ['DELETE', `/api/v1/task/${id}`],
      ];
      for (const [method, url, payload] of everyCall) {
        const { status, body } = await call(method, url, payload);
        expect([method, url, status, body.code, body.data]).toEqual([method, url, 403, 40301, null]);
        expect(typeof body.message).toBe('string');
      }

      await call('PUT', '/_sim/tikmatrix/license', { plan: 'team' });
      expect((await call('GET', '/api/v1/license/check')).body.data).toEqual({ plan: 'team', api_access: true });
      expect((await stats()).total).toBe(1);
    });

    it('refuses an unknown plan on the control route', async () => {
      await start(0);
      const { status, body } = await call('PUT', '/_sim/tikmatrix/license', { plan: 'platinum' });
      expect(status).toBe(400);
      expect(body.message).toContain('plan');
    });

    it('starts on the plan its options name', async () => {
      await start(0, 10, { plan: 'starter' });
      expect((await call('GET', '/api/v1/license/check')).body.code).toBe(40301);
    });
  });

  describe('farm', () => {
    it('seeds the fleet size in devices with two accounts each, 100,000 included', async () => {
      await start(0, 100_000);
      const farm = (await app.inject({ method: 'GET', url: '/_sim/tikmatrix/farm' })).json();
      expect(farm.size).toBe(100_000);
      expect(farm.serials.slice(0, 2)).toEqual(['TMX000001', 'TMX000002']);
      expect(farm.usernames.slice(0, 2)).toEqual(['tm_user_1a', 'tm_user_1b']);
      expect(farm.offline.length).toBeGreaterThan(0);
      expect(await create({ usernames: ['tm_user_100000b'], script_name: 'login' })).toHaveLength(1);
    });

    it('is the same for the same seed, and reset() forgets tasks and rebuilds it', async () => {
      await start(1000, 500);
      const farm = async () => (await app.inject({ method: 'GET', url: '/_sim/tikmatrix/farm' })).json();
      const before = await farm();
      await create({ serials: ['TMX000001'], script_name: 'login' });
      await call('PUT', '/_sim/tikmatrix/license', { plan: 'business' });
      await call('PUT', `/_sim/tikmatrix/devices/TMX000002`, { online: false });
      await app.inject({ method: 'POST', url: '/_sim/reset' });
      expect(await farm()).toEqual(before);
      expect((await stats()).total).toBe(0);
      expect((await call('GET', '/api/v1/license/check')).body.data.plan).toBe('pro');
      expect(await create({ serials: ['TMX000001'], script_name: 'login' })).toEqual([1, 2]);
    });

    it('refuses an unknown device on the control route', async () => {
      await start(0);
      expect((await call('PUT', '/_sim/tikmatrix/devices/TMX999999', { online: false })).status).toBe(404);
    });

    it('fails in its own envelope for the error fault', async () => {
      await start(0);
      const random = new Random(11);
      for (let i = 0; i < 10; i++) {
        const failure = server.simulator.vendorError(random);
        const body = failure.body as { code: number; message: string; data: unknown };
        expect(Math.floor(body.code / 100)).toBe(failure.status);
        expect(body).toMatchObject({ data: null, message: expect.any(String) });
      }
    });
  });
});
