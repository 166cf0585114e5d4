import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isFinalStatus, type Operation } from '@fleetgate/domain';
import { createArmcloudSimulator, SimulatorServer } from '@fleetgate/simulators';
import { InProcessRateLimiter } from '../core/rate-limiter';
import type { VendorAccountConfig } from '../core/vendor-account';
import type { DispatchOutcome, VendorEvent, VendorTaskProgress } from '../core/vendor-adapter';
import { VendorError } from '../core/vendor-error';
import { VendorTransport } from '../core/vendor-transport';
import { ArmcloudAdapter } from './armcloud-adapter';
import { ArmcloudClient } from './armcloud-client';
import { armcloudVendor } from './armcloud.definition';

const CREDENTIALS = { accessKeyId: 'AKFLEETGATEDEMO0001', secretAccessKey: 'fleetgate-armcloud-demo-secret' };

function accountFor(baseUrl: string): VendorAccountConfig {
  return {
    id: 'acct-armcloud',
    vendor: 'armcloud',
    baseUrl,
    credentials: CREDENTIALS,
    rateLimitPerSecond: 1000,
    timeoutMs: 10_000,
  };
}

/** Receives the simulator's callbacks on 127.0.0.1, as Fleetgate's callback endpoint would. */
async function startReceiver(): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (part: Buffer) => (text += part.toString('utf8')));
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/armcloud`, bodies };
}

async function eventually<T>(read: () => Promise<T> | T, done: (value: T) => boolean, attempts = 200): Promise<T> {
  let value = await read();
  for (let attempt = 0; attempt < attempts && !done(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = await read();
  }
  return value;
}

describe('ArmcloudAdapter against the ArmCloud simulator', () => {
  let sim: SimulatorServer;
  let baseUrl: string;
  let client: ArmcloudClient;
  let adapter: ArmcloudAdapter;
  let onlinePads: string[];

  beforeEach(async () => {
    sim = new SimulatorServer(createArmcloudSimulator, { fleetSize: 20, timeScale: 0 });
    baseUrl = await sim.listen(0);
    const account = accountFor(baseUrl);
    const transport = new VendorTransport({
      account,
      rateLimiter: new InProcessRateLimiter(),
      breakerHalfOpenAfterMs: 60_000,
    });
    client = new ArmcloudClient(account, transport);
    adapter = new ArmcloudAdapter(client, { pageSize: 7, batchSize: 2, stagingPollIntervalMs: 5 });
    const firstPage = await adapter.listDevices();
    onlinePads = firstPage.devices
      .filter((device) => device.status === 'online')
      .map((device) => device.vendorRef)
      .slice(0, 3);
    expect(onlinePads).toHaveLength(3);
  });

  afterEach(async () => {
    await sim.close();
  });

  async function pollToEnd(outcomes: DispatchOutcome[]): Promise<VendorTaskProgress[]> {
    const ids = outcomes.map((outcome) => outcome.vendorTaskId!);
    return eventually(
      () => adapter.pollTasks(ids),
      (progress) => progress.length === ids.length && progress.every((entry) => isFinalStatus(entry.status)),
    );
  }

  it('is what the definition creates', () => {
    const made = armcloudVendor.createAdapter(
      accountFor(baseUrl),
      new VendorTransport({ account: accountFor(baseUrl), rateLimiter: new InProcessRateLimiter() }),
    );
    expect(made).toBeInstanceOf(ArmcloudAdapter);
    expect(armcloudVendor.credentialFields.find((field) => field.name === 'secretAccessKey')?.secret).toBe(true);
    expect(armcloudVendor.capabilities).toBe(adapter.capabilities);
  });

  it('tests the connection with a signed request', async () => {
    await expect(adapter.testConnection()).resolves.toBeUndefined();
  });

  it('lists every pad through the pages of padDetails', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await adapter.listDevices(cursor);
      seen.push(...page.devices.map((device) => device.vendorRef));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3); // 20 pads, 7 a page
    expect(new Set(seen).size).toBe(20);
    expect(seen[0]).toBe('AC22030010001');
  });

  it('gets one pad, and reports an unknown one as not_found', async () => {
    const device = await adapter.getDevice(onlinePads[0]);
    expect(device).toMatchObject({ vendor: 'armcloud', vendorRef: onlinePads[0], status: 'online' });
    expect(device.attributes).toHaveProperty('imageId');
    await expect(adapter.getDevice('AC99999999999')).rejects.toMatchObject({ kind: 'not_found', vendorCode: '110028' });
  });

  it('reports a pad taken offline as offline', async () => {
    await fetch(`${baseUrl}/_sim/armcloud/pads/${onlinePads[0]}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ online: false }),
    });
    await expect(adapter.getDevice(onlinePads[0])).resolves.toMatchObject({ status: 'offline' });
  });

  const asyncOperations: Operation[] = [
    { type: 'device.reboot', params: {} },
    { type: 'device.reset', params: {} },
    { type: 'shell.async', params: { command: 'echo hello' } },
    { type: 'app.stop', params: { packageName: 'com.android.settings' } },
    { type: 'settings.properties', params: { properties: { 'ro.build.id': 'QQ3A.200805.001' } } },
    { type: 'settings.timezone', params: { timeZone: 'Asia/Shanghai' } },
    { type: 'settings.language', params: { language: 'zh', country: 'CN' } },
    { type: 'settings.sim', params: { properties: { imei: '868034031518269', mcc: '502', mnc: '146' } } },
    { type: 'settings.gps', params: { latitude: 39.909187, longitude: 116.397455 } },
    {
      type: 'settings.proxy',
      params: { host: '47.76.241.5', port: 2222, username: 'u', password: 'p', enabled: true },
    },
    { type: 'app.uninstall', params: { packageName: 'com.huluxia.gametools' } },
  ];

  it('refuses an uninstall before sending it when the application centre has no appId for the package', async () => {
    const sent: string[] = [];
    const account = accountFor(baseUrl);
    const recording = new ArmcloudAdapter(
      new ArmcloudClient(
        account,
        new VendorTransport({
          account,
          rateLimiter: new InProcessRateLimiter(),
          fetchImpl: async (input, init) => {
            sent.push(new URL(String(input)).pathname);
            return fetch(input, init);
          },
        }),
      ),
    );
    await expect(
      recording.dispatch({ type: 'app.uninstall', params: { packageName: 'com.nowhere.app' } }, onlinePads),
    ).rejects.toMatchObject({ kind: 'invalid', vendorCode: 'appId' });
    expect(sent).toContain('/file-center/open/app/list');
    expect(sent).not.toContain('/openapi/open/pad/uninstallApp');
  });

  it.each(asyncOperations.map((operation) => [operation.type, operation] as const))(
    '%s answers one task per pad, in batches, that polls to succeeded',
    async (_type, operation) => {
      const outcomes = await adapter.dispatch(operation, onlinePads);
      expect(outcomes.map((outcome) => outcome.vendorRef)).toEqual(onlinePads);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('pending');
        expect(outcome.vendorTaskId).toMatch(/^\d+$/);
      }
      const progress = await pollToEnd(outcomes);
      expect(progress.map((entry) => entry.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect(progress.map((entry) => entry.vendorRef).sort()).toEqual([...onlinePads].sort());
    },
  );

  it('shell.async carries the command output in the polled result', async () => {
    const outcomes = await adapter.dispatch({ type: 'shell.async', params: { command: 'echo fleetgate' } }, [
      onlinePads[0],
    ]);
    const [progress] = await pollToEnd(outcomes);
    expect(progress).toMatchObject({ status: 'succeeded', vendorStatus: 3 });
    expect(String(progress.result)).toContain('fleetgate');
  });

  it('a failing command polls to failed with the vendor status', async () => {
    const outcomes = await adapter.dispatch({ type: 'shell.async', params: { command: 'false' } }, [onlinePads[0]]);
    const [progress] = await pollToEnd(outcomes);
    expect(progress).toMatchObject({ status: 'failed', vendorStatus: -1, error: { code: '-1' } });
  });

  it('shell.sync answers the command output at once', async () => {
    const outcomes = await adapter.dispatch(
      { type: 'shell.sync', params: { command: 'echo now' } },
      onlinePads.slice(0, 2),
    );
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'succeeded' });
      expect(outcome.vendorTaskId).toMatch(/^\d+$/);
      expect(String(outcome.result)).toContain('now');
    }
  });

  it('screenshot answers a preview address per pad', async () => {
    const outcomes = await adapter.dispatch({ type: 'screenshot', params: { rotation: 0 } }, onlinePads);
    expect(outcomes).toHaveLength(3);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('succeeded');
      expect((outcome.result as { accessUrl: string }).accessUrl).toMatch(/^https?:\/\//);
    }
  });

  it('settings.adb turns ADB on with the connection command', async () => {
    const outcomes = await adapter.dispatch({ type: 'settings.adb', params: { enabled: true } }, [onlinePads[0]]);
    expect(outcomes[0]).toMatchObject({ vendorRef: onlinePads[0], status: 'succeeded', result: { enable: true } });
    expect((outcomes[0].result as { command: string }).command).toMatch(/^adb connect /);
  });

  it('app.install uploads to the application centre, installs, then app.start and app.restart run it', async () => {
    const install = await adapter.dispatch(
      { type: 'app.install', params: { url: 'https://apps.example/10043132_com.tencent.fiftyone.yc.apk' } },
      onlinePads,
    );
    expect(install.every((outcome) => outcome.status === 'pending' && /^\d+$/.test(outcome.vendorTaskId!))).toBe(true);
    expect((await pollToEnd(install)).every((entry) => entry.status === 'succeeded')).toBe(true);

    for (const type of ['app.start', 'app.restart'] as const) {
      const outcomes = await adapter.dispatch({ type, params: { packageName: 'com.tencent.fiftyone.yc' } }, onlinePads);
      expect((await pollToEnd(outcomes)).map((entry) => entry.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    }
  });

  it('app.start of an app that is not installed polls to failed', async () => {
    const outcomes = await adapter.dispatch({ type: 'app.start', params: { packageName: 'com.not.there' } }, [
      onlinePads[0],
    ]);
    const [progress] = await pollToEnd(outcomes);
    expect(progress.status).toBe('failed');
  });

  it('file.push uploads to the file centre then pushes to every pad', async () => {
    const outcomes = await adapter.dispatch(
      {
        type: 'file.push',
        params: {
          url: 'https://files.example/data.bin',
          md5: '32e1f345f209a7dc1cc704913ea436d3',
          targetPath: '/Documents/',
        },
      },
      onlinePads,
    );
    expect(outcomes.every((outcome) => /^\d+$/.test(outcome.vendorTaskId ?? ''))).toBe(true);
    expect((await pollToEnd(outcomes)).map((entry) => entry.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('file.push without an MD5 is refused before anything is sent', async () => {
    await expect(
      adapter.dispatch({ type: 'file.push', params: { url: 'https://files.example/a.bin' } }, onlinePads),
    ).rejects.toMatchObject({
      kind: 'invalid',
      vendorCode: 'fileMd5',
    });
  });

  it('an unknown pad fails alone; the others of its batch still get their tasks', async () => {
    const targets = [onlinePads[0], 'AC99999999999', onlinePads[1]];
    const outcomes = await adapter.dispatch({ type: 'device.reboot', params: {} }, targets);
    expect(outcomes.map((outcome) => outcome.vendorRef)).toEqual(targets);
    expect(outcomes[1]).toMatchObject({ status: 'failed', error: { code: '110028' } });
    expect(outcomes[0].vendorTaskId).toMatch(/^\d+$/);
    expect(outcomes[2].vendorTaskId).toMatch(/^\d+$/);
  });

  it('a pad named twice is sent once and answered for both mentions', async () => {
    const outcomes = await adapter.dispatch({ type: 'device.reboot', params: {} }, [onlinePads[0], onlinePads[0]]);
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0].vendorTaskId).toBe(outcomes[1].vendorTaskId);
  });

  it('refuses operations it does not support, and cancel', async () => {
    await expect(adapter.dispatch({ type: 'control.raw', params: { raw: [1] } }, onlinePads)).rejects.toMatchObject({
      kind: 'unsupported',
    });
    await expect(
      adapter.dispatch({ type: 'script.start', params: { script: 'x' } }, onlinePads),
    ).rejects.toBeInstanceOf(VendorError);
    await expect(adapter.cancelTasks(['1'])).rejects.toMatchObject({ kind: 'unsupported' });
    expect(adapter.capabilities.has('tasks.cancel')).toBe(false);
    expect(adapter.capabilities.has('control.datapoints')).toBe(false);
  });

  it('parses every callback the simulator posts after the callback address is configured', async () => {
    const receiver = await startReceiver();
    try {
      const types = await client.callbackTypes();
      expect(types.length).toBeGreaterThan(0);
      await expect(
        client.insertCallback({ callbackIdList: types.map((type) => type.id), callbackUrl: receiver.url }),
      ).resolves.toBe(types.length);
      await expect(client.callbackAddress()).resolves.toBe(receiver.url);

      const reboot = await adapter.dispatch({ type: 'device.reboot', params: {} }, [onlinePads[0]]);
      const shell = await adapter.dispatch({ type: 'shell.async', params: { command: 'echo cb' } }, [onlinePads[1]]);
      const install = await adapter.dispatch(
        { type: 'app.install', params: { url: 'https://apps.example/com.example.cb.apk' } },
        [onlinePads[2]],
      );
      const uninstall = await adapter.dispatch({ type: 'app.uninstall', params: { packageName: 'com.example.cb' } }, [
        onlinePads[2],
      ]);
      const push = await adapter.dispatch(
        { type: 'file.push', params: { url: 'https://files.example/cb.bin', md5: '32e1f345f209a7dc1cc704913ea436d3' } },
        [onlinePads[1]],
      );
      const stop = await adapter.dispatch({ type: 'app.stop', params: { packageName: 'com.example.cb' } }, [
        onlinePads[0],
      ]);
      const expected = [reboot, shell, install, uninstall, push, stop].map((outcomes) => outcomes[0].vendorTaskId!);

      const events = await eventually(
        () => receiver.bodies.flatMap((body) => adapter.parseCallback({ headers: {}, body })),
        (parsed: VendorEvent[]) => {
          const finished = new Set(
            parsed.flatMap((event) =>
              event.kind === 'task.progress' && isFinalStatus(event.progress.status)
                ? [event.progress.vendorTaskId]
                : [],
            ),
          );
          return expected.every((id) => finished.has(id)) && parsed.some((event) => event.kind === 'device.status');
        },
      );
      const finalByTask = new Map(
        events.flatMap((event) =>
          event.kind === 'task.progress' && isFinalStatus(event.progress.status)
            ? [[event.progress.vendorTaskId, event.progress] as const]
            : [],
        ),
      );
      for (const id of expected) expect(finalByTask.get(id)?.status).toBe('succeeded');
      expect(finalByTask.get(reboot[0].vendorTaskId!)?.vendorRef).toBe(onlinePads[0]);
      expect(finalByTask.get(install[0].vendorTaskId!)?.vendorRef).toBe(onlinePads[2]);
      expect(String(finalByTask.get(shell[0].vendorTaskId!)?.result)).toContain('cb');
      // The reboot's instance state callbacks: restarting (busy) then running (online).
      const padStates = events
        .filter((event) => event.kind === 'device.status' && event.vendorRef === onlinePads[0])
        .map((event) => (event as { status: string }).status);
      expect(padStates).toContain('online');
      // Every body the simulator posted is one this adapter understands (none throws, above).
      expect(receiver.bodies.length).toBeGreaterThanOrEqual(expected.length);
      // The raw text works as well as parsed JSON.
      expect(
        adapter.parseCallback({ headers: {}, body: undefined, rawBody: JSON.stringify(receiver.bodies[0]) }),
      ).toEqual(adapter.parseCallback({ headers: {}, body: receiver.bodies[0] }));
    } finally {
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });
});
