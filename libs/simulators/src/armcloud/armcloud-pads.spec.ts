import { decryptArmcloudData } from '@fleetgate/vendors';
import type { SimulatorServer } from '../kit';
import { ArmcloudFleet } from './armcloud-fleet';
import { type ArmcloudTestClient, onlinePads, startArmcloudSimulator } from './armcloud-test-client';

type Row = Record<string, unknown>;

describe('ArmCloud simulator: instances', () => {
  let server: SimulatorServer;
  let client: ArmcloudTestClient;
  let pads: string[];

  beforeAll(async () => {
    ({ server, client } = await startArmcloudSimulator({ fleetSize: 40 }));
    pads = await onlinePads(client, 5);
  });
  afterAll(() => server.close());

  it('seeds a large fleet as compact arrays with arithmetic lookups', () => {
    const fleet = new ArmcloudFleet(100_000, 42);
    expect(fleet.codeOf(0)).toBe('AC22030010001');
    expect(fleet.indexOf('AC22030110000')).toBe(99_999);
    expect(fleet.indexOf('AC22030110001')).toBeUndefined();
    expect(fleet.indexOfPadIp(fleet.padIpOf(77_777))).toBe(77_777);
    expect(fleet.deviceIndexOfIp(fleet.deviceIpOf(fleet.deviceOf(99_999)))).toBe(fleet.deviceOf(99_999));
    const again = new ArmcloudFleet(100_000, 42);
    expect(again.identityOf(12_345)).toEqual(fleet.identityOf(12_345));
  });

  it('pages instance details with the documented fields and filters', async () => {
    const answer = await client.post<{ page: number; rows: number; size: number; total: number; totalPage: number; pageData: Row[] }>(
      '/openapi/open/pad/padDetails',
      { page: 2, rows: 15 },
    );
    expect(answer.code).toBe(200);
    expect(answer.data).toMatchObject({ page: 2, rows: 15, size: 15, total: 40, totalPage: 3 });
    expect(answer.data.pageData[0]).toMatchObject({ padCode: 'AC22030010016', deviceLevel: expect.any(String), padStatus: expect.any(Number) });
    expect(answer.data.pageData[0].dcInfo).toMatchObject({ dcCode: expect.any(String), ossEndpoint: expect.stringMatching(/^https:/) });

    const online = await client.post<{ pageData: Row[]; total: number }>('/openapi/open/pad/padDetails', { rows: 100, vmStatus: '1' });
    const offline = await client.post<{ pageData: Row[]; total: number }>('/openapi/open/pad/padDetails', { rows: 100, vmStatus: '0' });
    expect(online.data.total + offline.data.total).toBe(40);
    expect(online.data.pageData.every((pad) => pad.online === 1)).toBe(true);

    const named = await client.post<{ pageData: Row[] }>('/openapi/open/pad/padDetails', { padCodes: [pads[1]], padIps: ['10.255.1.1'] });
    expect(named.data.pageData.map((pad) => pad.padCode).sort()).toEqual(['AC22030010001', pads[1]].sort());
  });

  it('lists instances by group with IPs and apps', async () => {
    const answer = await client.post<{ total: number; pageData: Row[] }>('/openapi/open/pad/infos', { page: 1, rows: 100, groupIds: [2] });
    expect(answer.data.total).toBe(8);
    expect(answer.data.pageData.every((pad) => pad.groupId === 2)).toBe(true);
    expect(answer.data.pageData[0]).toMatchObject({ padIp: expect.stringMatching(/^10\./), deviceIp: expect.stringMatching(/^172\.31\./), apps: expect.any(Array) });
    const groups = await client.post<Row[]>('/openapi/open/group/infos', { groupIds: [1, 2] });
    expect(groups.data).toEqual([
      { groupId: 1, groupName: 'Group 1', padCount: 8 },
      { groupId: 2, groupName: 'Group 2', padCount: 8 },
    ]);
  });

  it('answers 110028 for an unknown instance and 110027 for duplicates', async () => {
    const unknown = await client.post('/openapi/open/pad/restart', { padCodes: [pads[0], 'AC99999999999'] });
    expect(unknown).toMatchObject({ code: 110028, data: null });
    expect(unknown.msg).toContain('AC99999999999');
    expect((await client.post('/openapi/open/pad/padProperties', { padCode: 'AC00000000000' })).code).toBe(110028);
    expect((await client.post('/openapi/open/pad/updateTimeZone', { padCodes: [pads[0], pads[0]], timeZone: 'UTC' })).code).toBe(110027);
    expect((await client.post('/openapi/open/pad/asyncCmd', { padCodes: [pads[0], pads[0]], scriptContent: 'ls' })).code).toBe(110027);
  });

  it('answers 500 for a missing required parameter', async () => {
    const answer = await client.post('/openapi/open/pad/updateTimeZone', { padCodes: [pads[0]] });
    expect(answer.code).toBe(500);
    expect(answer.msg).toContain('timeZone');
  });

  it('changes properties through a task and reports them', async () => {
    const update = await client.post<Row[]>('/openapi/open/pad/updatePadProperties', {
      padCodes: [pads[0]],
      modemPersistPropertiesList: [{ propertiesName: 'IMEI', propertiesValue: '412327621057784' }],
      systemPropertiesList: [{ propertiesName: 'ro.build.id', propertiesValue: 'TEST.1' }],
    });
    expect(update.data[0]).toMatchObject({ padCode: pads[0], vmStatus: 1, taskId: expect.any(Number) });
    expect(await client.settledTask(update.data[0].taskId as number)).toMatchObject({ taskStatus: 3 });
    const properties = await client.post<Record<string, Row[]>>('/openapi/open/pad/padProperties', { padCode: pads[0] });
    expect(properties.data.modemPropertiesList).toContainEqual({ propertiesName: 'IMEI', propertiesValue: '412327621057784' });
    expect(properties.data.systemPropertiesList).toContainEqual({ propertiesName: 'ro.build.id', propertiesValue: 'TEST.1' });
    const model = await client.post<Row[]>('/openapi/open/pad/modelInfo', { padCodes: [pads[0]] });
    expect(model.data[0]).toMatchObject({ padCode: pads[0], imei: '412327621057784', brand: expect.any(String), width: expect.any(Number) });
  });

  it('applies time zone, language, SIM, GPS, proxy and bandwidth as tasks', async () => {
    const pad = pads[1];
    const requests: Array<[string, Row]> = [
      ['/openapi/open/pad/updateTimeZone', { padCodes: [pad], timeZone: 'Europe/Paris' }],
      ['/openapi/open/pad/updateLanguage', { padCodes: [pad], language: 'fr', country: 'FR' }],
      ['/openapi/open/pad/updateSIM', { padCodes: [pad], imei: '868034031518269', operatorShortnam: 'CMSS', mcc: '502' }],
      ['/openapi/open/pad/gpsInjectInfo', { padCodes: [pad], longitude: 116.397455, latitude: 39.909187 }],
      ['/openapi/open/network/proxy/set', { padCodes: [pad], ip: '47.76.241.5', port: 2222, account: 'a', password: 'p', enable: true }],
      ['/openapi/open/pad/setSpeed', { padCodes: [pad], upBandwidth: 10, downBandwidth: 10 }],
    ];
    for (const [path, body] of requests) {
      const answer = await client.post<Row[]>(path, body);
      expect({ path, code: answer.code }).toEqual({ path, code: 200 });
      expect(await client.settledTask(answer.data[0].taskId as number)).toMatchObject({ taskStatus: 3 });
    }
    const proxy = await client.post<Row[]>('/openapi/open/network/proxy/info', { padCodes: [pad] });
    const settled = await client.settledTask(proxy.data[0].taskId as number);
    expect(JSON.parse(settled.taskResult as string)).toMatchObject({ enable: true, ip: '47.76.241.5', port: 2222 });
    expect(settled.taskResult).not.toContain('"password"');
    const shell = await client.post<Row[]>('/openapi/open/pad/syncCmd', { padCode: pad, scriptContent: 'getprop persist.sys.timezone' });
    expect(shell.data[0]).toMatchObject({ taskStatus: 3, taskResult: 'Europe/Paris' });
    expect((await client.post('/openapi/open/pad/gpsInjectInfo', { padCodes: [pad], longitude: 200, latitude: 0 })).code).toBe(500);
    expect((await client.post('/openapi/open/pad/updateTimeZone', { padCodes: [pad], timeZone: 'Mars/Olympus' })).code).toBe(500);
  });

  it('sets Android props for one pad and answers one object', async () => {
    const answer = await client.post<Row>('/openapi/open/pad/updatePadAndroidProp', { padCode: pads[2], props: { 'ro.product.vendor.name': 'OP52D1L1' }, restart: false });
    expect(answer.data).toEqual({ taskId: expect.any(Number), padCode: pads[2] });
    await client.settledTask(answer.data.taskId as number);
    const shell = await client.post<Row[]>('/openapi/open/pad/syncCmd', { padCode: pads[2], scriptContent: 'getprop ro.product.vendor.name' });
    expect(shell.data[0].taskResult).toBe('OP52D1L1');
  });

  it('enables and disables ADB', async () => {
    const on = await client.post<Row>('/openapi/open/pad/adb', { padCode: pads[0], enable: true });
    expect(on.data).toMatchObject({ padCode: pads[0], enable: true, command: expect.stringMatching(/^adb connect /), expireTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
    const off = await client.post<Row>('/openapi/open/pad/adb', { padCodes: pads[0], enable: false });
    expect(off.data).toMatchObject({ padCode: pads[0], enable: false, command: null });
  });

  it('needs a blacklist for the specification before applying it', async () => {
    const details = await client.post<{ pageData: Row[] }>('/openapi/open/pad/padDetails', { padCodes: [pads[3]] });
    const grade = details.data.pageData[0].deviceLevel as string;
    expect((await client.post('/openapi/open/pad/triggeringBlacklist', { padGrade: grade, padCodes: [pads[3]] })).code).toBe(110051);
    const setUp = await client.post('/openapi/open/appBlack/setUpBlackList', { padGrade: grade, blackApps: [{ appPkg: 'cn.v8box.app', appName: 'x8 Sandbox' }] });
    expect(setUp).toMatchObject({ code: 200, data: null });
    const applied = await client.post<Row[]>('/openapi/open/pad/triggeringBlacklist', { padGrade: grade, padCodes: [pads[3]] });
    expect(await client.settledTask(applied.data[0].taskId as number)).toMatchObject({ taskStatus: 3 });
  });

  it('binds public IPs to instance IPs', async () => {
    expect((await client.post('/openapi/open/network/bindIp', { publicIP: '116.162.203.188', padIP: '10.255.1.3' })).data).toEqual({});
    expect((await client.post('/openapi/open/network/bindIp', { publicIP: '116.162.203.188', padIP: '10.1.1.1' })).code).toBe(110028);
    const bound = await client.get<{ ipAddresses: string[] }>('/openapi/open/network/getIP', { publicIP: '116.162.203.188' });
    expect(bound.data.ipAddresses).toEqual(['10.255.1.3/32']);
    await client.post('/openapi/open/network/unbindIp', { publicIP: '116.162.203.188', padIP: '10.255.1.3' });
    expect((await client.get<{ ipAddresses: string[] }>('/openapi/open/network/getIP', { publicIP: '116.162.203.188' })).data.ipAddresses).toEqual([]);
  });

  it('power-cycles a physical machine by IP', async () => {
    const infos = await client.post<{ pageData: Row[] }>('/openapi/open/pad/infos', { page: 1, rows: 1, padCodes: [pads[0]] });
    const deviceIp = infos.data.pageData[0].deviceIp as string;
    const answer = await client.post<Row[]>('/openapi/open/device/powerReset', { deviceIps: [deviceIp], type: 2 });
    expect(answer.data[0]).toMatchObject({ deviceIp, errorMsg: null, deviceOutCode: expect.stringMatching(/^ACD/) });
    expect((await client.post('/openapi/open/device/powerReset', { deviceIps: ['172.31.200.1'], type: 2 })).code).toBe(110032);
    expect((await client.post('/openapi/open/device/powerReset', { deviceIps: [deviceIp], type: 3 })).code).toBe(110030);
  });

  it('issues STS tokens and RTC tokens whose addresses decrypt with the pad code', async () => {
    expect((await client.post<{ token: string }>('/openapi/open/token/stsTokenByPadCode', { padCode: pads[0] })).data.token).toMatch(/-/);
    expect((await client.post('/openapi/open/token/stsTokenByPadCode', { padCode: 'AC99999999999' })).code).toBe(110028);
    const rtc = await client.post<Row[]>('/rtc/open/room/batchApplyToken', { userId: '202', expire: 3600, pads: [{ padCode: pads[0] }] });
    expect(rtc.data[0]).toMatchObject({ padCode: pads[0], roomCode: `${pads[0]}202`, msg: null, roomToken: expect.stringMatching(/^001/) });
    expect(decryptArmcloudData(rtc.data[0].signalServer as string, pads[0])).toMatch(/^wss:\/\//);
    expect((await client.post('/rtc/open/room/batchApplyToken', { userId: '202', pads: [{ padCode: 'AC99999999999' }] })).code).toBe(120005);
    const shared = await client.post<Row>('/rtc/open/room/share/applyToken', { userId: '123', terminal: 'pc', pads: [{ padCode: pads[0] }] });
    expect(shared.data.roomCode).toBe('pc123armsim');
    const dissolved = await client.post<Row>('/rtc/open/room/dissolveRoom', { padCodes: [pads[0], 'AC99999999999'] });
    expect(dissolved.data).toEqual({
      successList: [{ padCode: pads[0] }],
      failList: [{ padCode: 'AC99999999999', errorCode: 120005, errorMsg: 'Instance does not exist' }],
    });
  });

  it('takes a preview of online pads', async () => {
    const preview = await client.post<Row[]>('/openapi/open/pad/generatePreview', { padCodes: [pads[0]], rotation: 0, broadcast: false });
    expect(preview.data[0]).toMatchObject({ padCode: pads[0], accessUrl: expect.stringMatching(/\.png$/) });
  });
});
