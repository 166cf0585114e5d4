import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import {
  authLogin,
  devicesList,
  devicesRegister,
  devicesRequestSync,
  eventsCreate,
  eventsDeliveries,
  eventsRedeliver,
  tasksCancel,
  tasksCreate,
  tasksRetry,
  tasksGet,
  tasksStats,
  tasksTargets,
  vendorAccountsCreate,
  webhooksReceive,
  type DeviceDto,
  type TaskDetailDto,
} from '@fleetgate/sdk';
import { DEMO_CREDENTIALS, SIMULATED_VENDORS, SimulatorServer } from '@fleetgate/simulators';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { startWorker } from './support/worker-harness';

type Client = RunningGateway['client'];
const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  let value = await read();
  for (let i = 0; i < 300 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  if (!done(value)) throw new Error(`${what} did not happen: ${JSON.stringify(value).slice(0, 500)}`);
  return value;
}

describe('fleet tasks (e2e: gateway, worker and the vendor simulators over HTTP)', () => {
  const env = { REDIS_PREFIX: `fg-e2e-${process.pid}-${Date.now()}` };
  const sims: Partial<
    Record<'armcloud' | 'gizwits' | 'easyclick' | 'tikmatrix', { server: SimulatorServer; url: string }>
  > = {};
  let gateway: RunningGateway;
  let worker: INestApplicationContext;
  let admin: Client;
  let accessToken: string;
  const accounts: Record<string, { id: string; webhookSecret: string }> = {};
  const devices: Record<string, DeviceDto[]> = {};

  async function finished(taskId: string): Promise<TaskDetailDto> {
    return eventually(
      async () => (await tasksGet({ client: admin, path: { id: taskId } })).data!,
      (task) => FINAL.includes(task.status),
      `task ${taskId} ending`,
    );
  }

  beforeAll(async () => {
    // The ArmCloud simulator runs its tasks for a while (time scale 2), so that callbacks can arrive first.
    const scales = { armcloud: 2, gizwits: 0, easyclick: 0, tikmatrix: 0 } as const;
    for (const vendor of ['armcloud', 'gizwits', 'easyclick', 'tikmatrix'] as const) {
      const server = new SimulatorServer(SIMULATED_VENDORS[vendor].factory, {
        fleetSize: 12,
        timeScale: scales[vendor],
        seed: 11,
      });
      sims[vendor] = { server, url: await server.listen(0) };
    }
    gateway = await startGateway(env);
    worker = await startWorker(env);
    const { data } = await authLogin({ client: gateway.client, body: ADMIN });
    accessToken = data!.accessToken;
    admin = gateway.as(accessToken);
    const run = Math.random().toString(36).slice(2, 8);
    for (const vendor of ['armcloud', 'gizwits', 'easyclick', 'tikmatrix'] as const) {
      const created = await vendorAccountsCreate({
        client: admin,
        body: { vendor, name: `${vendor}-${run}`, baseUrl: sims[vendor]!.url, credentials: DEMO_CREDENTIALS[vendor] },
      });
      if (!created.data) throw new Error(`account ${vendor}: ${JSON.stringify(created.error)}`);
      accounts[vendor] = { id: created.data.id, webhookSecret: created.data.webhookSecret };
    }
    for (const vendor of ['armcloud', 'gizwits'] as const) {
      const sync = await devicesRequestSync({ client: admin, body: { accountId: accounts[vendor].id } });
      expect(sync.response.status).toBe(202);
      const page = await eventually(
        async () =>
          (await devicesList({ client: admin, query: { accountId: accounts[vendor].id, pageSize: 100 } })).data!,
        // Items, not total: the two are read by separate queries, and a sync may commit between them.
        (list) => list.items.length === 12,
        `${vendor} inventory sync`,
      );
      devices[vendor] = page.items;
    }
    // TikMatrix and EasyClick have no inventory API: their devices are registered by reference.
    const registered = { tikmatrix: ['TMX000001', 'TMX000002', 'TMX000003'], easyclick: ['001', '002', '003'] };
    for (const [vendor, refs] of Object.entries(registered)) {
      devices[vendor] = [];
      for (const vendorRef of refs) {
        const { data: device } = await devicesRegister({
          client: admin,
          body: { accountId: accounts[vendor].id, vendorRef },
        });
        devices[vendor].push(device!);
      }
    }
  });

  afterAll(async () => {
    await worker?.close();
    await gateway?.close();
    for (const sim of Object.values(sims)) await sim?.server.close();
  });

  it('syncs each vendor’s inventory with the vendor’s references and status', () => {
    expect(devices.armcloud.map((device) => device.vendor)).toEqual(Array(12).fill('armcloud'));
    expect(devices.gizwits.every((device) => /^FG/.test(device.vendorRef))).toBe(true);
    expect(devices.gizwits.every((device) => ['online', 'offline'].includes(device.status))).toBe(true);
  });

  it('reboots ArmCloud pads through vendor tasks, and every target ends with its vendor task id', async () => {
    const ids = devices.armcloud.slice(0, 5).map((device) => device.id);
    const created = await tasksCreate({
      client: admin,
      body: { operation: { type: 'device.reboot', params: {} }, targets: { deviceIds: ids } },
    });
    expect(created.error).toBeUndefined();
    expect(created.response.status).toBe(202);
    const task = await finished(created.data!.id);
    expect(task.counts.total).toBe(5);
    expect(task.targetRows.every((target) => target.vendorTaskId && FINAL.includes(target.status))).toBe(true);
    expect(task.status).toBe(
      task.targetRows.every((target) => target.status === 'succeeded') ? 'succeeded' : expect.any(String),
    );
  });

  it('controls Gizwits devices; an offline device fails alone with Gizwits’ own code', async () => {
    const [first, second] = devices.gizwits.filter((device) => device.status === 'online');
    await fetch(`${sims.gizwits!.url}/_sim/gizwits/devices/${second.vendorRef}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"online":false}',
    });
    const created = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'control.datapoints', params: { attrs: { switch: true } } },
        targets: { deviceIds: [first.id, second.id] },
      },
    });
    const task = await finished(created.data!.id);
    expect(task.status).toBe('partially_failed');
    const byDevice = Object.fromEntries(task.targetRows.map((target) => [target.deviceId, target]));
    expect(byDevice[first.id]).toMatchObject({ status: 'succeeded' });
    expect(byDevice[second.id]).toMatchObject({ status: 'failed', error: { code: '9042' } });
  });

  it('runs TikMatrix scripts by serial and follows them to their end by polling', async () => {
    const created = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'script.start', params: { script: 'login' } },
        targets: { accountId: accounts.tikmatrix.id },
      },
    });
    const task = await finished(created.data!.id);
    expect(task.counts.total).toBe(3);
    expect(task.targetRows.every((target) => ['succeeded', 'failed'].includes(target.status))).toBe(true);
    expect(task.targetRows.every((target) => /^\d+$/.test(target.vendorTaskId ?? ''))).toBe(true);
  });

  it('starts scripts across two vendors in one task: EasyClick devices join their cloud task, TikMatrix serials get theirs', async () => {
    const targets = [...devices.easyclick, ...devices.tikmatrix.slice(0, 2)];
    const created = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'script.start', params: { script: 'login', taskId: '1' } },
        targets: { deviceIds: targets.map((device) => device.id) },
      },
    });
    expect(created.response.status).toBe(202);
    const task = await finished(created.data!.id);
    expect(task.counts.total).toBe(5);
    const easyclick = task.targetRows.filter((target) => target.vendor === 'easyclick');
    expect(easyclick.map((target) => [target.vendorRef, target.vendorTaskId, target.status])).toEqual([
      ['001', '1:001', 'succeeded'],
      ['002', '1:002', 'succeeded'],
      ['003', '1:003', 'succeeded'],
    ]);
    const tikmatrix = task.targetRows.filter((target) => target.vendor === 'tikmatrix');
    expect(tikmatrix.every((target) => ['succeeded', 'failed'].includes(target.status))).toBe(true);
  });

  it('refuses with 422, listing them, targets whose vendor lacks the operation', async () => {
    const refused = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'device.reboot', params: {} },
        targets: { deviceIds: [devices.armcloud[0].id, devices.gizwits[0].id, devices.tikmatrix[0].id] },
      },
    });
    expect(refused.response.status).toBe(422);
    const error = (refused.error as { error: { details: Array<{ field: string; problem: string }> } }).error;
    expect(error.details.map((detail) => detail.field).sort()).toEqual(
      [`targets.${devices.gizwits[0].id}`, `targets.${devices.tikmatrix[0].id}`].sort(),
    );
    expect(error.details[0].problem).toMatch(/does not support device\.reboot/);
  });

  it('names the parameter at fault for a bad operation', async () => {
    const refused = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'shell.async', params: { command: '', extra: 1 } },
        targets: { deviceIds: [devices.armcloud[0].id] },
      },
    });
    expect(refused.response.status).toBe(400);
    const fields = (refused.error as { error: { details: Array<{ field: string }> } }).error.details.map(
      (detail) => detail.field,
    );
    expect(fields).toEqual(expect.arrayContaining(['operation.params.command', 'operation.params.extra']));
  });

  it('makes retries safe with an Idempotency-Key: same body, same task; other body, 409', async () => {
    const key = `key-${Math.random()}`;
    const body = {
      operation: { type: 'control.datapoints' as const, params: { attrs: { brightness: 7 } } },
      targets: { deviceIds: [devices.gizwits[0].id] },
    };
    const first = await tasksCreate({ client: admin, body, headers: { 'Idempotency-Key': key } });
    const again = await tasksCreate({ client: admin, body, headers: { 'Idempotency-Key': key } });
    expect(first.response.status).toBe(202);
    expect(again.response.status).toBe(200);
    expect(again.data!.id).toBe(first.data!.id);
    const other = await tasksCreate({
      client: admin,
      body: { ...body, operation: { ...body.operation, params: { attrs: { brightness: 8 } } } },
      headers: { 'Idempotency-Key': key },
    });
    expect(other.response.status).toBe(409);
    const { data: targets } = await tasksTargets({ client: admin, path: { id: first.data!.id } });
    expect(targets!.total).toBe(1);
  });

  it('takes callbacks: applies one once, acknowledges a duplicate, never moves a finished target back', async () => {
    const created = await tasksCreate({
      client: admin,
      body: { operation: { type: 'device.reboot', params: {} }, targets: { deviceIds: [devices.armcloud[6].id] } },
    });
    const running = await eventually(
      async () => (await tasksGet({ client: admin, path: { id: created.data!.id } })).data!,
      (task) => !!task.targetRows[0]?.vendorTaskId,
      'dispatch',
    );
    const target = running.targetRows[0];
    const path = { vendor: 'armcloud', accountId: accounts.armcloud.id };
    const headers = { 'X-Fleetgate-Webhook-Secret': accounts.armcloud.webhookSecret };
    const done = {
      taskBusinessType: 1000,
      padCode: target.vendorRef,
      taskId: Number(target.vendorTaskId),
      taskStatus: 3,
    };

    const wrongSecret = await webhooksReceive({
      client: gateway.client,
      path,
      body: done,
      headers: { 'X-Fleetgate-Webhook-Secret': 'nope' },
    });
    expect(wrongSecret.response.status).toBe(401);

    const first = await webhooksReceive({ client: gateway.client, path, body: done, headers });
    expect(first.data).toEqual({ accepted: true, duplicate: false });
    const duplicate = await webhooksReceive({ client: gateway.client, path, body: done, headers });
    expect(duplicate.data).toEqual({ accepted: true, duplicate: true });

    const task = await finished(created.data!.id);
    expect(task.targetRows[0]).toMatchObject({ status: 'succeeded', vendorStatus: '3' });

    const late = { ...done, taskStatus: 2 };
    const lateReceipt = await webhooksReceive({ client: gateway.client, path, body: late, headers });
    expect(lateReceipt.data).toEqual({ accepted: true, duplicate: false });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = (await tasksGet({ client: admin, path: { id: created.data!.id } })).data!;
    expect(after.targetRows[0]).toMatchObject({ status: 'succeeded', finishedAt: task.targetRows[0].finishedAt });

    const stats = (await tasksStats({ client: admin })).data!;
    expect(stats.targets.succeeded).toBeGreaterThanOrEqual(1);
  });

  it('delivers task events to a subscriber, signed, retried until it answers 2xx, and streams them live', async () => {
    const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
    let failFirst = true;
    const receiver: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        // The subscriber is down for its first delivery: Fleetgate must try again.
        response.writeHead(failFirst ? 503 : 204).end();
        failFirst = false;
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const { data: subscription } = await eventsCreate({
        client: admin,
        body: { name: `sub-${Date.now()}`, url, eventTypes: ['task.completed'] },
      });
      expect(subscription!.secret).toEqual(expect.any(String));

      const live = await fetch(`${gateway.baseUrl}/events/stream`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(live.headers.get('content-type')).toContain('text/event-stream');
      const reader = live.body!.getReader();

      // Subscriptions are cached for up to 5 s per process; let the worker's cache expire.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const created = await tasksCreate({
        client: admin,
        body: {
          operation: { type: 'control.datapoints', params: { attrs: { brightness: 3 } } },
          targets: { deviceIds: [devices.gizwits.find((device) => device.status === 'online')!.id] },
        },
      });
      const task = await finished(created.data!.id);

      let streamed = '';
      // task.updated and task.completed are two messages: the stream may bring them in separate chunks.
      const completed = new RegExp(`"type":"task\\.completed"[^\\n]*"taskId":"${task.id}"`);
      while (!completed.test(streamed)) {
        const { value, done } = await reader.read();
        if (done) break;
        streamed += new TextDecoder().decode(value);
      }
      await reader.cancel();
      expect(streamed).toContain('event: task.completed');

      const log = await eventually(
        async () => (await eventsDeliveries({ client: admin, path: { id: subscription!.id } })).data!,
        (page) => page.items.some((delivery) => delivery.status === 'delivered'),
        'a delivered event',
      );
      const delivery = log.items.find(
        (item) => (item.payload as { data: { taskId: string } }).data.taskId === task.id,
      )!;
      expect(delivery).toMatchObject({
        eventType: 'task.completed',
        status: 'delivered',
        attempts: 2,
        lastStatusCode: 204,
      });

      const last = received.at(-1)!;
      const timestamp = Number(last.headers['x-fleetgate-timestamp']);
      const expected = createHmac('sha256', subscription!.secret).update(`${timestamp}.${last.body}`).digest('hex');
      expect(last.headers['x-fleetgate-signature']).toBe(`sha256=${expected}`);
      expect(JSON.parse(last.body)).toMatchObject({
        type: 'task.completed',
        data: { taskId: task.id, status: 'succeeded' },
      });

      const redelivered = await eventsRedeliver({
        client: admin,
        path: { id: subscription!.id, deliveryId: delivery.id },
      });
      expect(redelivered.data).toMatchObject({ status: 'pending' });
      await eventually(
        async () => received.length,
        (count) => count >= 3,
        'the redelivery',
      );
    } finally {
      receiver.close();
    }
  });

  it('stores an uploaded app, hands vendors a signed link to it, and installs it by catalog id', async () => {
    const apk = Buffer.from('PK\u0003\u0004 fleetgate demo apk '.repeat(100));
    const form = new FormData();
    form.append('kind', 'app');
    form.append('name', 'Demo app');
    form.append('packageName', 'com.fleetgate.demo');
    form.append('file', new Blob([apk]), 'demo.apk');
    const uploaded = await fetch(`${gateway.baseUrl}/artifacts/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const artifact = (await uploaded.json()) as { id: string; md5: string; size: number; stored: boolean };
    expect(artifact).toMatchObject({
      stored: true,
      size: apk.length,
      md5: createHash('md5').update(apk).digest('hex'),
    });

    const created = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'app.install', params: { artifactId: artifact.id } },
        targets: { deviceIds: [devices.armcloud[8].id] },
      },
    });
    expect(created.response.status).toBe(202);
    const params = created.data!.operation.params as { url: string; md5: string; packageName: string };
    expect(params).toMatchObject({ md5: artifact.md5, packageName: 'com.fleetgate.demo' });
    const link = new URL(params.url);
    expect(link.pathname).toBe(`/artifacts/${artifact.id}/content`);

    // Vendors download without logging in, through the signed link only.
    const local = `${gateway.baseUrl}${link.pathname}${link.search}`;
    const download = await fetch(local);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(apk)).toBe(true);
    const forged = await fetch(local.replace(/signature=[0-9a-f]/, 'signature=x'));
    expect(forged.status).toBe(403);

    const task = await finished(created.data!.id);
    expect(task.targetRows[0].vendorTaskId).toEqual(expect.any(String));
  });

  describe('rollouts', () => {
    async function setOnline(device: DeviceDto, online: boolean) {
      await fetch(`${sims.gizwits!.url}/_sim/gizwits/devices/${device.vendorRef}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ online }),
      });
    }

    it('holds a command for an offline device within its time-to-live and sends it when the device is back', async () => {
      const device = devices.gizwits[9];
      await setOnline(device, false);
      const created = await tasksCreate({
        client: admin,
        body: {
          operation: { type: 'control.datapoints', params: { attrs: { switch: false } } },
          targets: { deviceIds: [device.id] },
          offlineTtlSeconds: 120,
        },
      });
      const waiting = await eventually(
        async () => (await tasksGet({ client: admin, path: { id: created.data!.id } })).data!,
        (task) => !!task.targetRows[0]?.waitUntil,
        'the target waiting for its device',
      );
      expect(waiting.targetRows[0]).toMatchObject({ status: 'pending', error: { code: '9042' } });
      await setOnline(device, true);
      const task = await finished(created.data!.id);
      expect(task.targetRows[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    });

    it('aborts a rollout once failures pass the threshold, cancelling what was not sent', async () => {
      const five = devices.gizwits.slice(0, 5);
      for (const device of five) await setOnline(device, false);
      try {
        const created = await tasksCreate({
          client: admin,
          body: {
            operation: { type: 'control.datapoints', params: { attrs: { switch: true } } },
            targets: { deviceIds: five.map((device) => device.id) },
            // One target every 5 s; stop once half of at least two finished targets failed.
            rollout: { targetsPerMinute: 12, abortFailurePercent: 50, abortMinTargets: 2 },
          },
        });
        const task = await finished(created.data!.id);
        expect(task.abortedAt).toEqual(expect.any(String));
        expect(task.status).toBe('failed');
        expect(task.counts).toMatchObject({ failed: 2, cancelled: 3, total: 5 });
        expect(
          task.targetRows
            .filter((target) => target.status === 'cancelled')
            .every((target) => target.error?.code === 'aborted'),
        ).toBe(true);
      } finally {
        for (const device of five) await setOnline(device, true);
      }
    });

    it('retries the failed targets of a task, and cancels a task that is still rolling out', async () => {
      const device = devices.gizwits[10];
      await setOnline(device, false);
      const created = await tasksCreate({
        client: admin,
        body: {
          operation: { type: 'control.datapoints', params: { attrs: { switch: true } } },
          targets: { deviceIds: [device.id] },
        },
      });
      expect((await finished(created.data!.id)).status).toBe('failed');
      await setOnline(device, true);
      const retried = await tasksRetry({ client: admin, path: { id: created.data!.id } });
      expect(retried.data!.status).toBe('running');
      const task = await finished(created.data!.id);
      expect(task.status).toBe('succeeded');
      expect(task.targetRows[0].attempts).toBe(2);

      const slow = await tasksCreate({
        client: admin,
        body: {
          operation: { type: 'control.datapoints', params: { attrs: { brightness: 1 } } },
          targets: { deviceIds: devices.gizwits.slice(0, 4).map((item) => item.id) },
          rollout: { targetsPerMinute: 6 },
        },
      });
      const cancelled = await tasksCancel({ client: admin, path: { id: slow.data!.id } });
      expect(cancelled.data!.cancelledAt).toEqual(expect.any(String));
      const ended = await finished(slow.data!.id);
      expect(ended.counts.cancelled).toBeGreaterThanOrEqual(3);
      const again = await tasksCancel({ client: admin, path: { id: slow.data!.id } });
      expect(again.response.status).toBe(409);
    });
  });
});
