import { InProcessRateLimiter } from '../core/rate-limiter';
import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError } from '../core/vendor-error';
import { VendorTransport } from '../core/vendor-transport';
import { ArmcloudClient } from './armcloud-client';
import { ArmcloudSignatureVerifier } from '@fleetgate/simulators';
import { sha256Hex } from './armcloud-signer';

const BASE_URL = 'http://127.0.0.1:9';
const CREDENTIALS = { accessKeyId: 'AKFLEETGATEDEMO0001', secretAccessKey: 'fleetgate-armcloud-demo-secret' };

interface RecordedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** A fetch that records each request and answers the envelope it is given (code 200 by default). */
function fakeVendor(
  answer: () => unknown = () => ({ code: 200, msg: 'success', ts: 1717570663080, data: [] }),
  credentials: Record<string, string> = {},
) {
  const requests: RecordedRequest[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    requests.push({
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: { ...((init?.headers ?? {}) as Record<string, string>) },
      body: init?.body as string | undefined,
    });
    return new Response(JSON.stringify(answer()), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const account: VendorAccountConfig = {
    id: 'acct-armcloud',
    vendor: 'armcloud',
    baseUrl: BASE_URL,
    credentials: { ...CREDENTIALS, ...credentials },
    rateLimitPerSecond: 1000,
    timeoutMs: 300,
  };
  const transport = new VendorTransport({
    account,
    rateLimiter: new InProcessRateLimiter(),
    fetchImpl,
    breakerHalfOpenAfterMs: 60_000,
  });
  return { requests, client: new ArmcloudClient(account, transport) };
}

type Call = (client: ArmcloudClient) => Promise<unknown>;

/** Each client method with the document's example request for its endpoint. */
const CONTRACT: Array<[string, string, string, Call, unknown]> = [
  [
    'restartPads',
    'POST',
    '/openapi/open/pad/restart',
    (c) => c.restartPads({ padCodes: ['AC22030022693'], groupIds: [1] }),
    { padCodes: ['AC22030022693'], groupIds: [1] },
  ],
  [
    'resetPads',
    'POST',
    '/openapi/open/pad/reset',
    (c) => c.resetPads({ padCodes: ['AC21020010001'], groupIds: [1] }),
    { padCodes: ['AC21020010001'], groupIds: [1] },
  ],
  [
    'padProperties',
    'POST',
    '/openapi/open/pad/padProperties',
    (c) => c.padProperties({ padCode: 'AC21020010001' }),
    { padCode: 'AC21020010001' },
  ],
  [
    'updatePadProperties',
    'POST',
    '/openapi/open/pad/updatePadProperties',
    (c) =>
      c.updatePadProperties({
        padCodes: ['AC21020010001'],
        systemPropertiesList: [{ propertiesName: 'ro.build.id', propertiesValue: 'QQ3A.200805.001' }],
      }),
    {
      padCodes: ['AC21020010001'],
      systemPropertiesList: [{ propertiesName: 'ro.build.id', propertiesValue: 'QQ3A.200805.001' }],
    },
  ],
  [
    'padDetails',
    'POST',
    '/openapi/open/pad/padDetails',
    (c) =>
      c.padDetails({
        page: 1,
        rows: 10,
        padCodes: ['AC21020010391'],
        padIps: ['192.168.1.1'],
        vmStatus: '1',
        controlStatus: '1',
        faultStatus: '14',
        deviceStatus: '0',
      }),
    {
      page: 1,
      rows: 10,
      padCodes: ['AC21020010391'],
      padIps: ['192.168.1.1'],
      vmStatus: '1',
      controlStatus: '1',
      faultStatus: '14',
      deviceStatus: '0',
    },
  ],
  [
    'padInfos',
    'POST',
    '/openapi/open/pad/infos',
    (c) => c.padInfos({ page: 1, rows: 10, padCodes: ['AC21020010391'], groupIds: [1] }),
    { page: 1, rows: 10, padCodes: ['AC21020010391'], groupIds: [1] },
  ],
  [
    'updateTimeZone',
    'POST',
    '/openapi/open/pad/updateTimeZone',
    (c) => c.updateTimeZone({ padCodes: ['AC32010140003'], timeZone: 'Asia/Shanghai' }),
    { padCodes: ['AC32010140003'], timeZone: 'Asia/Shanghai' },
  ],
  [
    'updateLanguage',
    'POST',
    '/openapi/open/pad/updateLanguage',
    (c) => c.updateLanguage({ padCodes: ['AC32010140026'], language: 'zh', country: '' }),
    { padCodes: ['AC32010140026'], language: 'zh', country: '' },
  ],
  [
    'updateSim',
    'POST',
    '/openapi/open/pad/updateSIM',
    (c) =>
      c.updateSim({
        padCodes: ['AC32010230011'],
        imei: '868034031518269',
        operatorShortname: 'CMSS',
        mcc: '502',
        mnc: '146',
      }),
    { padCodes: ['AC32010230011'], imei: '868034031518269', operatorShortname: 'CMSS', mcc: '502', mnc: '146' },
  ],
  [
    'gpsInjectInfo',
    'POST',
    '/openapi/open/pad/gpsInjectInfo',
    (c) => c.gpsInjectInfo({ padCodes: ['AC32010030001'], longitude: 116.397455, latitude: 39.909187 }),
    { padCodes: ['AC32010030001'], longitude: 116.397455, latitude: 39.909187 },
  ],
  [
    'setProxy',
    'POST',
    '/openapi/open/network/proxy/set',
    (c) =>
      c.setProxy({
        padCodes: ['AC32010140023'],
        account: '2222',
        password: '2222',
        ip: '47.76.241.5',
        port: 2222,
        enable: true,
      }),
    { padCodes: ['AC32010140023'], account: '2222', password: '2222', ip: '47.76.241.5', port: 2222, enable: true },
  ],
  [
    'proxyInfo',
    'POST',
    '/openapi/open/network/proxy/info',
    (c) => c.proxyInfo({ padCodes: ['AC32010140012'] }),
    { padCodes: ['AC32010140012'] },
  ],
  [
    'setAdb',
    'POST',
    '/openapi/open/pad/adb',
    (c) => c.setAdb({ padCode: 'AC22030010001', enable: true }),
    { padCode: 'AC22030010001', enable: true },
  ],
  [
    'asyncCmd',
    'POST',
    '/openapi/open/pad/asyncCmd',
    (c) => c.asyncCmd({ padCodes: ['AC22020020793'], scriptContent: 'cd /root;ls' }),
    { padCodes: ['AC22020020793'], scriptContent: 'cd /root;ls' },
  ],
  [
    'syncCmd',
    'POST',
    '/openapi/open/pad/syncCmd',
    (c) => c.syncCmd({ padCode: 'VP21020010231', scriptContent: 'cd /root/nbin;ls' }),
    { padCode: 'VP21020010231', scriptContent: 'cd /root/nbin;ls' },
  ],
  [
    'screenshot',
    'POST',
    '/openapi/open/pad/screenshot',
    (c) => c.screenshot({ padCodes: ['AC21020010231'], rotation: 0, broadcast: false }),
    { padCodes: ['AC21020010231'], rotation: 0, broadcast: false },
  ],
  [
    'generatePreview',
    'POST',
    '/openapi/open/pad/generatePreview',
    (c) => c.generatePreview({ padCodes: ['AC11010000031'], rotation: 0, broadcast: false }),
    { padCodes: ['AC11010000031'], rotation: 0, broadcast: false },
  ],
  [
    'cacheFile',
    'POST',
    '/file-center/open/file/cache',
    (c) =>
      c.cacheFile({
        fileUrl: 'http://xxx.armcloud.apk',
        fileName: 'test.apk',
        fileMd5: '32e1f345f209a7dc1cc704913ea436d3',
      }),
    { fileUrl: 'http://xxx.armcloud.apk', fileName: 'test.apk', fileMd5: '32e1f345f209a7dc1cc704913ea436d3' },
  ],
  ['fileList', 'POST', '/file-center/open/file/list', (c) => c.fileList({ page: 1, rows: 10 }), { page: 1, rows: 10 }],
  [
    'pushFile',
    'POST',
    '/openapi/open/pad/v2/uploadFile',
    (c) =>
      c.pushFile({
        padCodes: ['AC22030023061'],
        autoInstall: 1,
        fileUniqueId: '1e5d3bf00576ee8f3d094908c0456722',
        customizeFilePath: '/Documents/',
      }),
    {
      padCodes: ['AC22030023061'],
      autoInstall: 1,
      fileUniqueId: '1e5d3bf00576ee8f3d094908c0456722',
      customizeFilePath: '/Documents/',
    },
  ],
  [
    'cacheApps',
    'POST',
    '/file-center/open/app/cache',
    (c) =>
      c.cacheApps({
        parse: true,
        apps: [{ appId: 1243, appName: 'kuaishou', url: 'https://xxx.armcloud.apk', pkgName: 'com.smile.gifmaker' }],
      }),
    {
      parse: true,
      apps: [{ appId: 1243, appName: 'kuaishou', url: 'https://xxx.armcloud.apk', pkgName: 'com.smile.gifmaker' }],
    },
  ],
  [
    'appList',
    'POST',
    '/file-center/open/app/list',
    (c) => c.appList({ rows: 10, page: 1, appIds: [1, 2] }),
    { rows: 10, page: 1, appIds: [1, 2] },
  ],
  ['appDetail', 'POST', '/file-center/open/app/detail', (c) => c.appDetail({ appId: 1 }), { appId: 1 }],
  [
    'listPadApps',
    'POST',
    '/openapi/open/pad/listApp',
    (c) => c.listPadApps({ padCodes: ['AC22010020062'] }),
    { padCodes: ['AC22010020062'] },
  ],
  [
    'installApps',
    'POST',
    '/openapi/open/pad/installApp',
    (c) =>
      c.installApps({
        apps: [{ appId: 124, appName: 'hulu', pkgName: 'com.huluxia.gametools', padCodes: ['AC22010020062'] }],
      }),
    { apps: [{ appId: 124, appName: 'hulu', pkgName: 'com.huluxia.gametools', padCodes: ['AC22010020062'] }] },
  ],
  [
    'uninstallApps',
    'POST',
    '/openapi/open/pad/uninstallApp',
    (c) =>
      c.uninstallApps({ apps: [{ appId: 124, appName: 'demo', pkgName: 'com.demo', padCodes: ['AC22010020062'] }] }),
    { apps: [{ appId: 124, appName: 'demo', pkgName: 'com.demo', padCodes: ['AC22010020062'] }] },
  ],
  [
    'startApp',
    'POST',
    '/openapi/open/pad/startApp',
    (c) => c.startApp({ padCodes: ['AC22030022693'], pkgName: 'xxx.test.com' }),
    { padCodes: ['AC22030022693'], pkgName: 'xxx.test.com' },
  ],
  [
    'stopApp',
    'POST',
    '/openapi/open/pad/stopApp',
    (c) => c.stopApp({ padCodes: ['AC22010020062'], pkgName: 'xxx.test.com' }),
    { padCodes: ['AC22010020062'], pkgName: 'xxx.test.com' },
  ],
  [
    'restartApp',
    'POST',
    '/openapi/open/pad/restartApp',
    (c) => c.restartApp({ padCodes: ['AC22030022693'], pkgName: 'xxx.test.com' }),
    { padCodes: ['AC22030022693'], pkgName: 'xxx.test.com' },
  ],
  [
    'padTaskDetail',
    'POST',
    '/task-center/open/task/padTaskDetail',
    (c) => c.padTaskDetail({ taskIds: [1, 2] }),
    { taskIds: [1, 2] },
  ],
  [
    'fileTaskDetail',
    'POST',
    '/task-center/open/task/fileTaskDetail',
    (c) => c.fileTaskDetail({ taskIds: [1, 2] }),
    { taskIds: [1, 2] },
  ],
  [
    'taskList',
    'POST',
    '/task-center/open/task/list',
    (c) => c.taskList({ page: 1, rows: 10, type: 1000 }),
    { page: 1, rows: 10, type: 1000 },
  ],
  [
    'executeScriptInfo',
    'POST',
    '/task-center/open/task/executeScriptInfo',
    (c) => c.executeScriptInfo({ taskIds: [1] }),
    { taskIds: [1] },
  ],
  [
    'cacheFileResult',
    'POST',
    '/task-center/open/task/cacheFileResult',
    (c) => c.cacheFileResult({ taskIds: [1] }),
    { taskIds: [1] },
  ],
  [
    'screenshotInfo',
    'POST',
    '/task-center/open/task/screenshotInfo',
    (c) => c.screenshotInfo({ taskIds: [1] }),
    { taskIds: [1] },
  ],
  [
    'appOperateInfo',
    'POST',
    '/task-center/open/task/appOperateInfo',
    (c) => c.appOperateInfo({ taskIds: [1] }),
    { taskIds: [1] },
  ],
  [
    'padExecuteTaskInfo',
    'POST',
    '/task-center/open/task/padExecuteTaskInfo',
    (c) => c.padExecuteTaskInfo({ taskIds: [1] }),
    { taskIds: [1] },
  ],
  [
    'insertCallback',
    'POST',
    '/openapi/open/config/insertCallback',
    (c) => c.insertCallback({ callbackIdList: [21, 14], callbackUrl: 'localhost:8080/callback' }),
    { callbackIdList: [21, 14], callbackUrl: 'localhost:8080/callback' },
  ],
  [
    'updateCallback',
    'POST',
    '/openapi/open/config/updateCallback',
    (c) => c.updateCallback({ callbackIdList: [21, 14], callbackUrl: 'localhost:8080/callback' }),
    { callbackIdList: [21, 14], callbackUrl: 'localhost:8080/callback' },
  ],
  ['deleteCallback', 'POST', '/openapi/open/config/deleteCallback', (c) => c.deleteCallback(), undefined],
  ['callbackTypes', 'GET', '/openapi/open/config/selectList', (c) => c.callbackTypes(), undefined],
  ['callbackAddress', 'GET', '/openapi/open/config/selectCallback', (c) => c.callbackAddress(), undefined],
];

describe('ArmcloudClient request contract (vendor document examples)', () => {
  it.each(CONTRACT)(
    '%s sends %s %s with the documented body and the four signing headers',
    async (_name, method, path, call, expectedBody) => {
      const { requests, client } = fakeVendor();
      await call(client);
      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(request.method).toBe(method);
      expect(request.url.pathname).toBe(path);
      expect(request.url.search).toBe('');
      if (expectedBody === undefined) {
        expect(request.body).toBeUndefined();
      } else {
        expect(JSON.parse(request.body!)).toEqual(expectedBody);
      }
      // The document's public request parameters, plus the signed body hash.
      expect(request.headers['x-date']).toMatch(/^\d{8}T\d{6}Z$/);
      // The base URL's host (no `host` credential), and the content type as field clients send it.
      expect(request.headers['x-host']).toBe('127.0.0.1:9');
      expect(request.headers['content-type']).toBe('application/json;charset=UTF-8');
      expect(request.headers['x-content-sha256']).toBe(sha256Hex(request.body ?? ''));
      expect(request.headers.authorization).toMatch(
        new RegExp(
          `^HMAC-SHA256 Credential=AKFLEETGATEDEMO0001/${request.headers['x-date'].slice(0, 8)}/armcloud-paas/request, ` +
            'SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=[0-9a-f]{64}$',
        ),
      );
      // The signature holds over the exact bytes sent, checked by the simulator's verifier, which is
      // written from the document and shares nothing with the signer.
      const verification = new ArmcloudSignatureVerifier(CREDENTIALS).verify({
        headers: { ...request.headers, host: request.url.host },
        body: request.body ?? '',
      });
      expect(verification).toEqual({ ok: true, accessKeyId: CREDENTIALS.accessKeyId });
    },
  );

  it('signs the `host` credential instead of the base URL’s host when the account sets one', async () => {
    const { requests, client } = fakeVendor(undefined, { host: 'openapi.armcloud.net' });
    await client.padProperties({ padCode: 'AC22030010001' });
    const [request] = requests;
    expect(request.headers['x-host']).toBe('openapi.armcloud.net');
    expect(
      new ArmcloudSignatureVerifier(CREDENTIALS).verify({
        headers: { ...request.headers, host: request.url.host },
        body: request.body ?? '',
      }),
    ).toEqual({ ok: true, accessKeyId: CREDENTIALS.accessKeyId });
  });

  it('answers the envelope data on code 200', async () => {
    const { client } = fakeVendor(() => ({
      code: 200,
      msg: 'success',
      ts: 1,
      data: [{ taskId: 14, padCode: 'AC22030010001', vmStatus: 1 }],
    }));
    await expect(client.asyncCmd({ padCodes: ['AC22030010001'], scriptContent: 'ls' })).resolves.toEqual([
      { taskId: 14, padCode: 'AC22030010001', vmStatus: 1 },
    ]);
  });

  it.each([
    [110028, 'Instance does not exist', 'not_found'],
    [120005, 'Instance does not exist', 'not_found'],
    [140005, 'File not available', 'not_found'],
    [110027, 'There is a duplicate item in the instance number set', 'invalid'],
    [500, 'Incorrect request parameter', 'invalid'],
    [140006, 'Incorrect file storage path', 'invalid'],
    [100004, 'Invalid key', 'unauthorized'],
    [100001, 'No access', 'unauthorized'],
    [110012, 'Command execution timeout', 'timeout'],
    [110039, 'Task add failed', 'unavailable'],
    [120007, 'This interface does not support this feature at the moment', 'unsupported'],
    [10001, 'Reboot Failed', 'vendor_error'],
    [110003, 'Failed to execute ADB command', 'vendor_error'],
    [987654, 'something new', 'vendor_error'],
  ])('maps vendor code %d to a VendorError keeping code and message', async (code, msg, kind) => {
    const { client } = fakeVendor(() => ({ code, msg, ts: 1, data: null }));
    const error = await client.restartPads({ padCodes: ['AC22030010001'] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VendorError);
    expect(error).toMatchObject({ vendor: 'armcloud', kind, vendorCode: String(code), vendorMessage: msg });
  });

  it('refuses an answer that is not an envelope', async () => {
    const { client } = fakeVendor(() => ({ hello: 'world' }));
    await expect(client.padDetails({ page: 1, rows: 1 })).rejects.toMatchObject({
      kind: 'vendor_error',
      vendorCode: 'malformed_envelope',
    });
  });

  it('needs both credentials', () => {
    const transport = new VendorTransport({
      account: {
        id: 'a',
        vendor: 'armcloud',
        baseUrl: BASE_URL,
        credentials: {},
        rateLimitPerSecond: 1,
        timeoutMs: 300,
      },
      rateLimiter: new InProcessRateLimiter(),
    });
    expect(
      () =>
        new ArmcloudClient(
          {
            id: 'a',
            vendor: 'armcloud',
            baseUrl: BASE_URL,
            credentials: { accessKeyId: 'AK' },
            rateLimitPerSecond: 1,
            timeoutMs: 300,
          },
          transport,
        ),
    ).toThrow(VendorError);
  });
});
