import { VendorError } from '../core/vendor-error';
import {
  callbackToEvents,
  deviceStatusFromPad,
  padTaskDetailToProgress,
  padToVendorDevice,
  taskStatusFromCode,
} from './armcloud-mapper';

describe('ArmCloud mapping', () => {
  it.each([
    [1, 'pending'],
    [2, 'running'],
    [3, 'succeeded'],
    [-1, 'failed'],
    [-2, 'partially_failed'],
    [-3, 'cancelled'],
    [-4, 'timed_out'],
    ['3', 'succeeded'],
    ['-2', 'partially_failed'],
  ])('task status %p is %s', (code, status) => {
    expect(taskStatusFromCode(code)).toBe(status);
  });

  it.each([0, 4, -5, null, undefined, '', 'done'])('task status %p is not a documented code', (code) => {
    expect(taskStatusFromCode(code)).toBeUndefined();
  });

  it.each([
    [{ online: 1, padStatus: 10 }, 'online'],
    [{ online: 1, padStatus: 11 }, 'busy'],
    [{ online: 1, padStatus: 12 }, 'busy'],
    [{ online: 1, padStatus: 13 }, 'busy'],
    [{ online: 1, padStatus: 15 }, 'busy'],
    [{ online: 1, padStatus: 16 }, 'busy'],
    [{ online: 1, padStatus: 14 }, 'offline'],
    [{ online: 0, padStatus: 10 }, 'offline'],
    [{ online: 1, padStatus: 99 }, 'unknown'],
  ])('pad %o is %s', (pad, status) => {
    expect(deviceStatusFromPad(pad)).toBe(status);
  });

  it('maps the document’s padDetails example to a device', () => {
    const device = padToVendorDevice({
      padCode: 'AC21020010391',
      imageId: 'andorid:v10',
      deviceLevel: 'q2-6',
      padStatus: 12,
      deviceStatus: 1,
      online: 1,
      streamStatus: 0,
      dataSize: 234493726720,
      dataSizeUsed: 179189956608,
    });
    expect(device).toMatchObject({ vendor: 'armcloud', vendorRef: 'AC21020010391', status: 'busy', model: 'q2-6' });
    expect(device.attributes).toMatchObject({ imageId: 'andorid:v10', dataSize: 234493726720 });
  });

  it('maps a task centre row, its type error ("String") included', () => {
    expect(
      padTaskDetailToProgress({
        taskId: 1,
        padCode: 'AC22030022441',
        taskStatus: '2',
        endTime: 1713429401000,
        taskContent: null,
        taskResult: null,
      }),
    ).toEqual({
      vendorTaskId: '1',
      vendorRef: 'AC22030022441',
      status: 'running',
      vendorStatus: 2,
      result: undefined,
      error: undefined,
    });
    expect(
      padTaskDetailToProgress({ taskId: 9, padCode: 'AC1', taskStatus: -1, errorMsg: 'Instance is offline' }),
    ).toMatchObject({
      status: 'failed',
      error: { code: '-1', message: 'Instance is offline' },
    });
    expect(() => padTaskDetailToProgress({ taskId: 9, padCode: 'AC1', taskStatus: 7 })).toThrow(VendorError);
  });

  describe('callbacks (the document’s field tables)', () => {
    it('asynchronous ADB command', () => {
      expect(
        callbackToEvents({
          taskId: 1,
          padCode: 'AC22030022001',
          taskStatus: 3,
          endTime: 1756021166163,
          taskResult: 'Success',
          taskContent: 'x',
          cmd: 'cd /root;ls',
          cmdResult: '/ws',
        }),
      ).toEqual([
        {
          kind: 'task.progress',
          progress: {
            vendorTaskId: '1',
            vendorRef: 'AC22030022001',
            status: 'succeeded',
            vendorStatus: 3,
            result: '/ws',
            error: undefined,
          },
        },
      ]);
    });

    it('instance file upload (boolean result)', () => {
      expect(
        callbackToEvents({ taskId: 1, result: false, errorCode: '110006', padCode: 'AC22030022001', fileId: 'cf08' }),
      ).toEqual([
        {
          kind: 'task.progress',
          progress: expect.objectContaining({
            vendorTaskId: '1',
            vendorRef: 'AC22030022001',
            status: 'failed',
            error: { code: '110006', message: 'ArmCloud error 110006' },
          }),
        },
      ]);
    });

    it('application install: succeeded only when every app succeeded', () => {
      const ok = callbackToEvents({
        taskId: 5,
        apps: [{ appId: 10001, appName: 'demo', pkgName: 'com.xxx.demo', padCode: 'AC1', result: true }],
      });
      expect(ok[0]).toMatchObject({
        kind: 'task.progress',
        progress: { vendorTaskId: '5', vendorRef: 'AC1', status: 'succeeded' },
      });
      const mixed = callbackToEvents({
        taskId: 5,
        apps: [
          { appId: 1, appName: 'a', pkgName: 'a.a', padCode: 'AC1', result: true },
          { appId: 2, appName: 'b', pkgName: 'b.b', padCode: 'AC1', result: false },
        ],
      });
      expect(mixed[0]).toMatchObject({ progress: { status: 'failed' } });
    });

    it('application uninstall as the table types it (apps an object, result beside it) keeps its pad', () => {
      const app = { appId: 1, appName: 'demo', pkgName: 'com.demo', padCode: 'AC1' };
      expect(callbackToEvents({ taskId: 6, apps: app, result: true })[0]).toMatchObject({
        progress: { vendorTaskId: '6', vendorRef: 'AC1', status: 'succeeded', result: { apps: [app] } },
      });
      expect(callbackToEvents({ taskId: 7, apps: app, result: false })[0]).toMatchObject({
        progress: { vendorTaskId: '7', vendorRef: 'AC1', status: 'failed' },
      });
    });

    it('application uninstall as a list, like the install callback, keeps its pad too', () => {
      expect(
        callbackToEvents({
          taskId: 6,
          apps: [{ appId: 1, appName: 'demo', pkgName: 'com.demo', padCode: 'AC1' }],
          result: true,
        })[0],
      ).toMatchObject({
        progress: { vendorTaskId: '6', vendorRef: 'AC1', status: 'succeeded' },
      });
    });

    it.each([
      [
        'application start/stop/restart',
        { taskId: 1, taskStatus: -1, padCode: 'AC1', pkgName: 'xxx.test.com' },
        'failed',
      ],
      [
        'application list',
        { taskId: 1, taskStatus: 3, padCode: 'AC1', apps: [{ appName: 'test', pkgName: 'text.xx.com' }] },
        'succeeded',
      ],
      [
        'file upload to the centre',
        { taskId: 1, taskStatus: 2, originFileUrl: 'www.xxx.com/xxx.apk', fileUniqueId: 'test001' },
        'running',
      ],
      [
        'instance restart/reset task',
        { taskBusinessType: 1000, taskId: 2, taskStatus: -4, padCode: 'AC1', taskResult: 'x', endTime: 177777224 },
        'timed_out',
      ],
      [
        'image upgrade',
        { padCode: 'AC1', taskBusinessType: 1012, taskStatus: -3, taskId: 1, endTime: 1, taskResult: 'x' },
        'cancelled',
      ],
      ['application blacklist', { padCode: 'AC1', taskId: 1, taskStatus: 1 }, 'pending'],
    ])('%s', (_name, body, status) => {
      const [event] = callbackToEvents(body);
      expect(event).toMatchObject({ kind: 'task.progress', progress: { vendorTaskId: String(body.taskId), status } });
    });

    it('instance state is a device status; cloud machine status gives no device event', () => {
      expect(callbackToEvents({ padStatus: 11, padCode: '212254' })).toEqual([
        { kind: 'device.status', vendorRef: '212254', status: 'busy' },
      ]);
      expect(callbackToEvents({ padStatus: 10, padCode: 'AC1' })).toEqual([
        { kind: 'device.status', vendorRef: 'AC1', status: 'online' },
      ]);
      expect(callbackToEvents({ deviceStatus: 0, deviceCode: '212254' })).toEqual([]);
    });

    it.each([
      ['not an object', 'hello'],
      ['an array', [1]],
      ['no known fields', { hello: 1 }],
      ['a non-integer taskId', { taskId: 'x1', taskStatus: 3 }],
      ['an undocumented status', { taskId: 1, taskStatus: 9 }],
      ['instance state without padCode', { padStatus: 10 }],
    ])('refuses %s as invalid', (_name, body) => {
      expect(() => callbackToEvents(body)).toThrow(expect.objectContaining({ kind: 'invalid' }));
    });
  });
});
