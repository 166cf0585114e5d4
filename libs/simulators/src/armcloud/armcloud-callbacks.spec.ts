import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorServer } from '../kit';
import { ARMCLOUD_CALLBACK_TYPES, type ArmcloudCallbackKind } from './armcloud-callbacks';
import { type ArmcloudTestClient, onlinePads, startArmcloudSimulator, waitFor } from './armcloud-test-client';

type Row = Record<string, unknown>;

const idOf = (kind: ArmcloudCallbackKind) => ARMCLOUD_CALLBACK_TYPES.find((type) => type.kind === kind)!.id;

describe('ArmCloud simulator: callbacks', () => {
  let server: SimulatorServer;
  let client: ArmcloudTestClient;
  let receiver: Server;
  let receiverAddress: string;
  let received: Array<{ path: string; body: Row }> = [];
  let pads: string[];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ path: request.url ?? '', body: JSON.parse(text) as Row });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverAddress = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    ({ server, client } = await startArmcloudSimulator({ fleetSize: 25 }));
    pads = await onlinePads(client, 3);
  });

  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  beforeEach(async () => {
    await server.callbacks.drain();
    received = [];
  });

  const deliveriesOf = async (predicate: (body: Row) => boolean, count = 1) =>
    waitFor(() => {
      const matching = received.filter((delivery) => predicate(delivery.body));
      return matching.length >= count ? matching : undefined;
    });

  it('lists the callback types, with ids matching the document examples', async () => {
    const list = await client.get<Array<{ callbackName: string; callbackType: string; id: number }>>('/openapi/open/config/selectList');
    expect(list.data).toHaveLength(14);
    expect(list.data).toContainEqual({ callbackName: 'File Upload Tasks', callbackType: '4', id: 14 });
    expect(list.data.map((type) => type.id)).toContain(21);
    expect((await client.get('/openapi/open/config/selectCallback')).data).toBeNull();
  });

  it('refuses unknown callback type ids', async () => {
    expect((await client.post('/openapi/open/config/insertCallback', { callbackIdList: [99], callbackUrl: receiverAddress })).code).toBe(500);
  });

  it('delivers the instance state task and instance state callbacks of a restart to a scheme-less address', async () => {
    const inserted = await client.post('/openapi/open/config/insertCallback', {
      callbackIdList: [idOf('padTask'), idOf('padStatus')],
      callbackUrl: `${receiverAddress}/armcloud/callback`,
    });
    expect(inserted.data).toBe(2);
    expect((await client.get('/openapi/open/config/selectCallback')).data).toBe(`${receiverAddress}/armcloud/callback`);

    const restart = await client.post<Row[]>('/openapi/open/pad/restart', { padCodes: [pads[0]] });
    const taskId = restart.data[0].taskId;
    const [taskCallback] = await deliveriesOf((body) => body.taskId === taskId);
    expect(taskCallback.path).toBe('/armcloud/callback');
    expect(taskCallback.body).toEqual({
      taskBusinessType: 1000,
      taskId,
      taskStatus: 3,
      padCode: pads[0],
      taskResult: 'Success',
      taskContent: null,
      endTime: expect.any(Number),
    });
    const statuses = await deliveriesOf((body) => body.padCode === pads[0] && 'padStatus' in body, 2);
    expect(statuses.map((delivery) => delivery.body.padStatus)).toEqual([11, 10]);
  });

  it('sends only the subscribed types (updateCallback replaces the subscription)', async () => {
    const updated = await client.post('/openapi/open/config/updateCallback', { callbackIdList: [idOf('asyncCmd')], callbackUrl: `http://${receiverAddress}/cmd` });
    expect(updated.data).toBe(1);
    await client.post('/openapi/open/pad/restart', { padCodes: [pads[1]] });
    const run = await client.post<Row[]>('/openapi/open/pad/asyncCmd', { padCodes: [pads[1]], scriptContent: 'echo hi;whoami' });
    const [delivery] = await deliveriesOf((body) => body.taskId === run.data[0].taskId);
    expect(delivery.body).toEqual({
      taskId: run.data[0].taskId,
      padCode: pads[1],
      taskStatus: 3,
      endTime: expect.any(Number),
      taskResult: 'hi\nroot',
      taskContent: 'echo hi;whoami',
      cmd: 'echo hi;whoami',
      cmdResult: 'hi\nroot',
    });
    await server.callbacks.drain();
    expect(received.every((entry) => 'cmd' in entry.body)).toBe(true);
  });

  it('delivers file upload, instance file upload, install and app start callbacks', async () => {
    await client.post('/openapi/open/config/updateCallback', {
      callbackIdList: [idOf('fileUpload'), idOf('padFileUpload'), idOf('appInstall'), idOf('appStart')],
      callbackUrl: receiverAddress,
    });
    const upload = await client.post<Row>('/file-center/open/file/cache', { fileUrl: 'https://files.example/a.txt', fileName: 'a.txt', fileMd5: 'abc' });
    const [fileCallback] = await deliveriesOf((body) => body.taskId === upload.data.taskId);
    expect(fileCallback.body).toEqual({ taskId: upload.data.taskId, taskStatus: 3, originFileUrl: 'https://files.example/a.txt', fileUniqueId: upload.data.fileUniqueId });

    const push = await client.post<Row[]>('/openapi/open/pad/v2/uploadFile', { padCodes: [pads[2]], fileUniqueId: upload.data.fileUniqueId });
    const [pushCallback] = await deliveriesOf((body) => body.taskId === push.data[0].taskId);
    expect(pushCallback.body).toEqual({ taskId: push.data[0].taskId, result: true, errorCode: null, padCode: pads[2], fileId: upload.data.fileUniqueId });

    const install = await client.post<Row[]>('/openapi/open/pad/installApp', { apps: [{ appId: 124, appName: 'Hulu Man', pkgName: 'com.huluxia.gametools', padCodes: [pads[2]] }] });
    const [installCallback] = await deliveriesOf((body) => body.taskId === install.data[0].taskId);
    expect(installCallback.body).toEqual({
      taskId: install.data[0].taskId,
      apps: [{ appId: 124, appName: 'Hulu Man', pkgName: 'com.huluxia.gametools', padCode: pads[2], result: true }],
    });

    const start = await client.post<Row[]>('/openapi/open/pad/startApp', { padCodes: [pads[2]], pkgName: 'com.huluxia.gametools' });
    const [startCallback] = await deliveriesOf((body) => body.taskId === start.data[0].taskId);
    expect(startCallback.body).toEqual({ taskId: start.data[0].taskId, taskStatus: 3, padCode: pads[2], pkgName: 'com.huluxia.gametools' });
  });

  it('delivers the uninstall callback in the document’s shape: apps an object, result beside it', async () => {
    await client.post('/openapi/open/config/updateCallback', { callbackIdList: [idOf('appUninstall')], callbackUrl: receiverAddress });
    const uninstall = await client.post<Row[]>('/openapi/open/pad/uninstallApp', {
      apps: [{ appId: 124, appName: 'Hulu Man', pkgName: 'com.huluxia.gametools', padCodes: [pads[2]] }],
    });
    const [callback] = await deliveriesOf((body) => body.taskId === uninstall.data[0].taskId);
    expect(callback.body).toEqual({
      taskId: uninstall.data[0].taskId,
      apps: { appId: 124, appName: 'Hulu Man', pkgName: 'com.huluxia.gametools', padCode: pads[2] },
      result: true,
    });
  });

  it('stops delivering after deleteCallback', async () => {
    await client.post('/openapi/open/config/updateCallback', { callbackIdList: [idOf('asyncCmd'), idOf('padStatus')], callbackUrl: receiverAddress });
    const deleted = await client.post('/openapi/open/config/deleteCallback');
    expect(deleted.data).toBe(2);
    expect((await client.get('/openapi/open/config/selectCallback')).data).toBeNull();
    const run = await client.post<Row[]>('/openapi/open/pad/asyncCmd', { padCodes: [pads[0]], scriptContent: 'ls' });
    await client.settledTask(run.data[0].taskId as number);
    await server.callbacks.drain();
    expect(received).toEqual([]);
  });
});
