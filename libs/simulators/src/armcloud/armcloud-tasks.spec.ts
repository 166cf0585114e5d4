import { CallbackSender, NO_FAULTS, Random, type SimulatorServer } from '../kit';
import { ArmcloudCallbacks } from './armcloud-callbacks';
import { ArmcloudTaskEngine, batchStatusCode, taskStatusCode } from './armcloud-tasks';
import { type ArmcloudTestClient, onlinePads, startArmcloudSimulator } from './armcloud-test-client';

type Row = Record<string, unknown>;

describe('ArmCloud task engine', () => {
  afterEach(() => jest.useRealTimers());

  it('moves a batch pending → running → complete on scaled timers, and fails what fails', () => {
    jest.useFakeTimers();
    const sender = new CallbackSender(() => NO_FAULTS, new Random(1));
    const engine = new ArmcloudTaskEngine(2, new ArmcloudCallbacks(sender));
    const seen: string[] = [];
    const tasks = engine.submit({
      type: 1000,
      durationMs: 1000,
      subtasks: [
        { padCode: 'A', onRunning: () => void seen.push('A running'), onFinish: () => ({ ok: true }) },
        { padCode: 'B', onFinish: () => ({ ok: false, error: 'broken' }) },
      ],
    });
    const [batch] = engine.batchesOfTypes([1000]);
    expect(tasks.map(taskStatusCode)).toEqual([1, 1]);
    expect(batchStatusCode(batch)).toBe(1);
    jest.advanceTimersByTime(400);
    expect(tasks.map(taskStatusCode)).toEqual([2, 2]);
    expect(batchStatusCode(batch)).toBe(2);
    expect(seen).toEqual(['A running']);
    jest.advanceTimersByTime(1600);
    expect(tasks.map(taskStatusCode)).toEqual([3, -1]);
    expect(tasks[1]).toMatchObject({ errorMsg: 'broken', endTime: expect.any(Number) });
    expect(batchStatusCode(batch)).toBe(-2);
    engine.close();
  });

  it('stops its timers on close', () => {
    jest.useFakeTimers();
    const engine = new ArmcloudTaskEngine(1, new ArmcloudCallbacks(new CallbackSender(() => NO_FAULTS, new Random(1))));
    const [task] = engine.submit({ type: 1002, durationMs: 100, subtasks: [{ onFinish: () => ({ ok: true }) }] });
    engine.close();
    jest.advanceTimersByTime(1000);
    expect(taskStatusCode(task)).toBe(1);
  });
});

describe('ArmCloud simulator: tasks through the task centre', () => {
  let server: SimulatorServer;
  let client: ArmcloudTestClient;
  let pads: string[];

  beforeAll(async () => {
    ({ server, client } = await startArmcloudSimulator({ fleetSize: 30 }));
    pads = await onlinePads(client, 4);
  });
  afterAll(() => server.close());

  it('reports a slow task as pending, then (at timeScale 0) as complete', async () => {
    const slow = await startArmcloudSimulator({ timeScale: 1_000_000 });
    try {
      const [pad] = await onlinePads(slow.client, 1);
      const restart = await slow.client.post<Row[]>('/openapi/open/pad/restart', { padCodes: [pad] });
      const info = await slow.client.post<Row[]>('/task-center/open/task/padExecuteTaskInfo', { taskIds: [restart.data[0].taskId] });
      expect(info.data[0]).toMatchObject({ padCode: pad, taskStatus: 1, endTime: null });
    } finally {
      await slow.server.close();
    }

    const restart = await client.post<Row[]>('/openapi/open/pad/restart', { padCodes: [pads[0]], groupIds: [1] });
    expect(restart.data).toEqual([{ taskId: expect.any(Number), padCode: pads[0], vmStatus: 1 }]);
    const taskId = restart.data[0].taskId as number;
    const settled = await client.settledTask(taskId, '/task-center/open/task/padExecuteTaskInfo');
    expect(settled).toMatchObject({ taskId, padCode: pads[0], taskStatus: 3, taskResult: 'Success', endTime: expect.any(Number) });
    const detail = await client.post<Row[]>('/task-center/open/task/padTaskDetail', { taskIds: [{ taskId }, 999_999] });
    expect(detail.data).toEqual([expect.objectContaining({ taskId, taskStatus: 3, errorMsg: null })]);
  });

  it('lists batches by type with their subtasks', async () => {
    const reset = await client.post<Row[]>('/openapi/open/pad/reset', { padCodes: [pads[1], pads[2]] });
    await client.settledTask(reset.data[1].taskId as number);
    const list = await client.post<{ total: number; pageData: Row[] }>('/task-center/open/task/list', { type: 1001, page: 1, rows: 10 });
    expect(list.data.total).toBe(1);
    expect(list.data.pageData[0]).toMatchObject({ type: 1001, taskBatchStatus: 3, taskBatchId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((list.data.pageData[0].subTasks as Row[]).map((task) => task.padCode)).toEqual([pads[1], pads[2]]);
  });

  it('runs ADB commands asynchronously and reports output in executeScriptInfo', async () => {
    const run = await client.post<Row[]>('/openapi/open/pad/asyncCmd', { padCodes: [pads[0]], scriptContent: 'cd /root;echo hello' });
    const settled = await client.settledTask(run.data[0].taskId as number, '/task-center/open/task/executeScriptInfo');
    expect(settled).toMatchObject({ padCode: pads[0], taskStatus: 3, taskContent: 'cd /root;echo hello', taskResult: 'hello' });
    const failing = await client.post<Row[]>('/openapi/open/pad/asyncCmd', { padCodes: [pads[0]], scriptContent: 'false' });
    expect(await client.settledTask(failing.data[0].taskId as number)).toMatchObject({ taskStatus: -1, errorMsg: expect.stringContaining('ADB') });
  });

  it('fails tasks on an offline pad, until a restart brings it back', async () => {
    const pad = pads[3];
    await client.app.inject({ method: 'PUT', url: `/_sim/armcloud/pads/${pad}`, payload: { online: false } });
    const run = await client.post<Row[]>('/openapi/open/pad/asyncCmd', { padCodes: [pad], scriptContent: 'ls' });
    expect(run.data[0].vmStatus).toBe(0);
    expect(await client.settledTask(run.data[0].taskId as number)).toMatchObject({ taskStatus: -1, errorMsg: 'Instance is offline' });
    const sync = await client.post<Row[]>('/openapi/open/pad/syncCmd', { padCode: pad, scriptContent: 'ls' });
    expect(sync.data[0].taskStatus).toBe(-1);
    const restart = await client.post<Row[]>('/openapi/open/pad/restart', { padCodes: [pad] });
    await client.settledTask(restart.data[0].taskId as number);
    const details = await client.post<{ pageData: Row[] }>('/openapi/open/pad/padDetails', { padCodes: [pad] });
    expect(details.data.pageData[0]).toMatchObject({ online: 1, padStatus: 10 });
  });

  it('takes a screenshot and reports it in screenshotInfo', async () => {
    const shot = await client.post<Row[]>('/openapi/open/pad/screenshot', { padCodes: [pads[0]], rotation: 0, broadcast: false });
    const settled = await client.settledTask(shot.data[0].taskId as number, '/task-center/open/task/screenshotInfo');
    expect(settled.taskResult).toMatch(/^\/sdcard\/.*\.png$/);
  });

  it('uploads a file to the centre, lists it, and pushes it to a pad', async () => {
    const notYet = await client.post('/openapi/open/pad/v2/uploadFile', { padCodes: [pads[0]], fileUniqueId: 'nope' });
    expect(notYet.code).toBe(140005);
    const upload = await client.post<Row>('/file-center/open/file/cache', {
      fileUrl: 'https://files.example/tool.apk',
      fileName: 'tool.apk',
      fileMd5: '32e1f345f209a7dc1cc704913ea436d3',
    });
    expect(upload.data).toEqual({ taskId: expect.any(Number), fileUniqueId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const taskId = upload.data.taskId as number;
    const result = await (async () => {
      await client.settledTask(taskId, '/task-center/open/task/fileTaskDetail');
      return client.post<{ fileList: Row[] }>('/task-center/open/task/cacheFileResult', { taskIds: [taskId] });
    })();
    expect(result.data.fileList[0]).toMatchObject({ taskId, taskStatus: 3, fileName: 'tool.apk', fileUniqueId: upload.data.fileUniqueId, appId: null });
    const files = await client.post<{ pageData: Row[] }>('/file-center/open/file/list', { page: 1, rows: 10 });
    expect(files.data.pageData).toContainEqual(expect.objectContaining({ fileUniqueId: upload.data.fileUniqueId, originUrl: 'https://files.example/tool.apk' }));

    const badPath = await client.post('/openapi/open/pad/v2/uploadFile', { padCodes: [pads[0]], fileUniqueId: upload.data.fileUniqueId, customizeFilePath: 'Documents/' });
    expect(badPath.code).toBe(140006);
    const push = await client.post<Row[]>('/openapi/open/pad/v2/uploadFile', {
      padCodes: [pads[0]],
      fileUniqueId: upload.data.fileUniqueId,
      customizeFilePath: '/Documents/',
      autoInstall: 1,
    });
    expect(await client.settledTask(push.data[0].taskId as number)).toMatchObject({ taskStatus: 3, taskContent: '/Documents/tool.apk' });

    const broken = await client.post<Row>('/file-center/open/file/cache', { fileUrl: 'ftp://nowhere', fileName: 'x.bin', fileSha256: 'abc' });
    const failed = await client.settledTask(broken.data.taskId as number, '/task-center/open/task/fileTaskDetail');
    expect(failed.taskStatus).toBe(-1);
  });

  it('uploads, installs, starts and uninstalls an app', async () => {
    const cache = await client.post<Row[]>('/file-center/open/app/cache', { parse: true, apps: [{ url: 'https://apps.example/10043132_com.demo.game.apk' }] });
    const appId = cache.data[0].appId as number;
    await client.settledTask(cache.data[0].taskId as number, '/task-center/open/task/fileTaskDetail');
    const detail = await client.post<Row>('/file-center/open/app/detail', { appId });
    expect(detail.data).toMatchObject({ appId, packageName: 'com.demo.game' });
    const list = await client.post<{ pageData: Row[] }>('/file-center/open/app/list', { page: 1, rows: 10, appIds: [appId] });
    expect(list.data.pageData).toEqual([expect.objectContaining({ appId, available: true })]);

    const startMissing = await client.post<Row[]>('/openapi/open/pad/startApp', { padCodes: [pads[1]], pkgName: 'com.demo.game' });
    expect(await client.settledTask(startMissing.data[0].taskId as number, '/task-center/open/task/appOperateInfo')).toMatchObject({ taskStatus: -1 });

    expect((await client.post('/openapi/open/pad/installApp', { apps: [{ appId: 424242, appName: 'x', pkgName: 'x', padCodes: [pads[1]] }] })).code).toBe(140005);
    const install = await client.post<Row[]>('/openapi/open/pad/installApp', {
      apps: [{ appId, appName: 'demo', pkgName: 'com.demo.game', padCodes: [pads[1]] }, { appId: 124, appName: 'Hulu Man', pkgName: 'com.huluxia.gametools', PadCodes: [pads[1]] }],
    });
    expect(install.data).toHaveLength(1);
    await client.settledTask(install.data[0].taskId as number, '/task-center/open/task/appOperateInfo');
    const installList = await client.post<{ pageData: Row[] }>('/task-center/open/task/list', { type: 1013, page: 1, rows: 10 });
    expect(installList.data.pageData[0].type).toBe(1003);

    const start = await client.post<Row[]>('/openapi/open/pad/startApp', { padCodes: [pads[1]], pkgName: 'com.demo.game' });
    expect(await client.settledTask(start.data[0].taskId as number, '/task-center/open/task/appOperateInfo')).toMatchObject({ taskStatus: 3 });
    const listApp = await client.post<Row[]>('/openapi/open/pad/listApp', { padCodes: [pads[1]] });
    const listed = await client.settledTask(listApp.data[0].taskId as number);
    expect(JSON.parse(listed.taskResult as string)).toEqual(expect.arrayContaining([{ appName: 'demo', pkgName: 'com.demo.game' }]));

    const withoutAppId = await client.post('/openapi/open/pad/uninstallApp', { apps: [{ appName: 'demo', pkgName: 'com.demo.game', padCodes: [pads[1]] }] });
    expect(withoutAppId).toMatchObject({ code: 500, msg: expect.stringContaining('appId is required') });
    const uninstall = await client.post<Row[]>('/openapi/open/pad/uninstallApp', { apps: [{ appId, appName: 'demo', pkgName: 'com.demo.game', padCodes: [pads[1]] }] });
    await client.settledTask(uninstall.data[0].taskId as number);
    const infos = await client.post<{ pageData: Row[] }>('/openapi/open/pad/infos', { page: 1, rows: 1, padCodes: [pads[1]] });
    expect(infos.data.pageData[0].apps).toEqual(['com.huluxia.gametools']);
  });

  it('uploads an image, refuses a repeat, and upgrades pads to it', async () => {
    const body = { imageFiles: [{ imageFileUrl: 'https://images.example/armcloud_v13.tar', imageTag: 'v13.2.1-alpha05' }], serverType: 'Cruise10', romVersion: 'android10.0' };
    expect((await client.post('/openapi/open/pad/upgradeImage', { padCodes: [pads[2]], imageId: 'v13.2.1-alpha05', wipeData: false })).code).toBe(110041);
    const upload = await client.post<{ imageTaskIds: number[]; errorList: Row[] }>('/openapi/open/image/uploadImage', body);
    expect(upload.data).toEqual({ imageTaskIds: [expect.any(Number)], errorList: [] });
    const repeat = await client.post<{ imageTaskIds: number[]; errorList: Row[] }>('/openapi/open/image/uploadImage', body);
    expect(repeat.data).toEqual({ imageTaskIds: [], errorList: [{ imageTag: 'v13.2.1-alpha05', errorMessage: 'Do not submit images repeatedly' }] });
    const result = await (async () => {
      for (;;) {
        const answer = await client.post<Row[]>('/task-center/open/task/imageUploadResult', { taskIds: upload.data.imageTaskIds });
        if (answer.data[0].taskStatus !== 1) return answer.data[0];
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    expect(result).toEqual({ taskId: upload.data.imageTaskIds[0], taskStatus: 2, errorMsg: '' });
    const upgrade = await client.post<Row[]>('/openapi/open/pad/upgradeImage', { padCodes: [pads[2]], imageId: 'v13.2.1-alpha05', wipeData: true });
    expect(upgrade.data[0]).toEqual({ taskId: expect.any(Number), padCode: pads[2], errorMsg: null });
    await client.settledTask(upgrade.data[0].taskId as number);
    const details = await client.post<{ pageData: Row[] }>('/openapi/open/pad/padDetails', { padCodes: [pads[2]] });
    expect(details.data.pageData[0]).toMatchObject({ imageId: 'v13.2.1-alpha05', padStatus: 10 });
  });

  it('forgets tasks and settings on reset, and reseeds the same fleet', async () => {
    const before = await client.post<{ pageData: Row[] }>('/openapi/open/pad/padDetails', { page: 1, rows: 30 });
    await client.app.inject({ method: 'POST', url: '/_sim/reset' });
    const after = await client.post<{ pageData: Row[] }>('/openapi/open/pad/padDetails', { page: 1, rows: 30 });
    expect(after.data.pageData.map((pad) => [pad.padCode, pad.deviceLevel])).toEqual(before.data.pageData.map((pad) => [pad.padCode, pad.deviceLevel]));
    const list = await client.post<{ total: number }>('/task-center/open/task/list', { type: 1000, page: 1, rows: 10 });
    expect(list.data.total).toBe(0);
  });
});
