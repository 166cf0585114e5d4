import type { INestApplicationContext } from '@nestjs/common';
import { VendorAccountService } from '@fleetgate/vendors';
import { createGizwitsSimulator, DEMO_CREDENTIALS, SimulatorServer } from '@fleetgate/simulators';
import { adminToken, type RunningGateway, startGateway } from './support/gateway-harness';
import { startWorker } from './support/worker-harness';

/**
 * Scheduled jobs kept by the vendor (Gizwits schedulers), mirrored both ways against the Gizwits
 * simulator: Fleetgate's changes reach the vendor, and the vendor's own schedules, deletions and runs
 * reach Fleetgate.
 */
describe('vendor-kept schedules (e2e, Gizwits simulator)', () => {
  const env = { REDIS_PREFIX: `fg-vsched-${process.pid}-${Date.now()}` };
  let sim: SimulatorServer;
  let simUrl: string;
  let gateway: RunningGateway;
  let worker: INestApplicationContext;
  let token: string;
  let accountId: string;
  let deviceIds: string[];

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, never>) : undefined };
  }

  const vendorSchedules = async () =>
    (await gateway.app.get(VendorAccountService).adapterFor(accountId)).scheduling!.listSchedules();

  beforeAll(async () => {
    sim = new SimulatorServer(createGizwitsSimulator, { fleetSize: 6, timeScale: 0, seed: 11 });
    simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    worker = await startWorker(env);
    token = await adminToken(gateway);
    const account = await call('POST', '/vendor-accounts', {
      vendor: 'gizwits',
      name: `vsched-${Date.now()}`,
      baseUrl: simUrl,
      credentials: DEMO_CREDENTIALS.gizwits,
    });
    accountId = account.json!.id;
    await call('POST', '/devices/sync', { accountId });
    for (let i = 0; i < 200; i++) {
      const page = await call('GET', `/devices?accountId=${accountId}`);
      if ((page.json!.items as unknown[]).length >= 2) {
        deviceIds = (page.json!.items as Array<{ id: string }>).slice(0, 2).map((device) => device.id);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(deviceIds).toHaveLength(2);
  });

  afterAll(async () => {
    await worker?.close();
    await gateway?.close();
    await sim?.close();
  });

  const weeklyJob = (name: string) => ({
    name,
    runner: 'vendor',
    scheduleKind: 'weekly',
    weekdays: ['mon', 'wed'],
    timeOfDay: '08:30',
    timeZone: 'UTC',
    retryCount: 2,
    retryScope: 'failed',
    action: { operation: { type: 'control.datapoints', params: { attrs: { switch: true } } }, targets: { deviceIds } },
  });

  it('creates, stops, starts and deletes the schedule at the vendor with the job', async () => {
    const created = await call('POST', '/scheduled-jobs', weeklyJob(`vendor-weekly-${Date.now()}`));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ runner: 'vendor', vendorAccountId: accountId });
    const first = created.json!.vendorScheduleId as string;
    const atVendor = (await vendorSchedules()).find((schedule) => schedule.vendorTaskId === first);
    expect(atVendor).toMatchObject({ time: '08:30', weekdays: ['mon', 'wed'], retryCount: 2, retryScope: 'failed' });
    expect(atVendor!.controls.map((control) => control.attrs)).toEqual([{ switch: true }, { switch: true }]);

    const stopped = await call('POST', `/scheduled-jobs/${created.json!.id}/stop`);
    expect(stopped.json).toMatchObject({ enabled: false, vendorScheduleId: null });
    expect((await vendorSchedules()).some((schedule) => schedule.vendorTaskId === first)).toBe(false);

    const started = await call('POST', `/scheduled-jobs/${created.json!.id}/start`);
    expect(started.json!.vendorScheduleId).toMatch(/^scheduler:/);
    expect(started.json!.vendorScheduleId).not.toBe(first);

    // An edit is a new schedule at the vendor (Gizwits has no update).
    const edited = await call('PATCH', `/scheduled-jobs/${created.json!.id}`, { timeOfDay: '09:45' });
    const now = (await vendorSchedules()).find((schedule) => schedule.vendorTaskId === edited.json!.vendorScheduleId);
    expect(now?.time).toBe('09:45');
    expect((await vendorSchedules()).some((schedule) => schedule.vendorTaskId === started.json!.vendorScheduleId)).toBe(
      false,
    );

    expect((await call('DELETE', `/scheduled-jobs/${created.json!.id}`)).status).toBe(204);
    expect((await vendorSchedules()).some((schedule) => schedule.vendorTaskId === edited.json!.vendorScheduleId)).toBe(
      false,
    );
  });

  it('refuses what the vendor cannot keep, naming the fields', async () => {
    const refused = await call('POST', '/scheduled-jobs', {
      ...weeklyJob(`vendor-bad-${Date.now()}`),
      scheduleKind: 'cron',
      cron: '0 * * * *',
      timeZone: 'Asia/Shanghai',
    });
    expect(refused.status).toBe(422);
    expect(refused.json!.error).toMatchObject({
      details: expect.arrayContaining([
        { field: 'scheduleKind', problem: 'a vendor keeps once or weekly schedules only' },
        { field: 'timeZone', problem: 'vendor schedules run in UTC' },
      ]),
    });
  });

  it("imports the vendor's own schedules, stops jobs deleted there, and logs the vendor's runs", async () => {
    const scheduling = (await gateway.app.get(VendorAccountService).adapterFor(accountId)).scheduling!;
    const devices = (await call('GET', `/devices?accountId=${accountId}`)).json!.items as Array<{
      id: string;
      vendorRef: string;
    }>;
    const made = await scheduling.createSchedule({
      date: '2031-05-04',
      time: '06:15',
      controls: devices.slice(0, 2).map((device) => ({ vendorRef: device.vendorRef, attrs: { brightness: 40 } })),
      retryCount: 1,
      retryScope: 'all',
    });

    const pulled = (await call('POST', '/scheduled-jobs/vendor-sync')).json as unknown as Array<{
      accountId: string;
      imported: number;
    }>;
    expect(pulled.find((outcome) => outcome.accountId === accountId)?.imported).toBe(1);
    const jobs = (await call('GET', '/scheduled-jobs?pageSize=200')).json!.items as Array<Record<string, unknown>>;
    const imported = jobs.find((job) => job.vendorScheduleId === made.vendorTaskId)!;
    expect(imported).toMatchObject({
      runner: 'vendor',
      scheduleKind: 'once',
      enabled: true,
      timeZone: 'UTC',
      action: { operation: { type: 'control.datapoints', params: { attrs: { brightness: 40 } } } },
    });
    expect(new Date(imported.runAt as string).toISOString()).toBe('2031-05-04T06:15:00.000Z');
    // Pulling again imports nothing twice.
    const again = (await call('POST', '/scheduled-jobs/vendor-sync')).json as unknown as Array<{
      accountId: string;
      imported: number;
    }>;
    expect(again.find((outcome) => outcome.accountId === accountId)?.imported).toBe(0);

    // The vendor runs it: the run joins the dispatch log once, however often it is pulled.
    const fired = await fetch(
      `${simUrl}/_sim/gizwits/schedulers/${made.vendorTaskId.replace(/^scheduler:/, '')}/fire`,
      { method: 'POST' },
    );
    expect(fired.status).toBe(200);
    await call('POST', '/scheduled-jobs/vendor-sync');
    await call('POST', '/scheduled-jobs/vendor-sync');
    const runs = (await call('GET', `/job-runs?jobId=${imported.id as string}`)).json!.items as Array<
      Record<string, unknown>
    >;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'vendor', executor: 'gizwits' });
    expect(['succeeded', 'failed']).toContain(runs[0].status);

    // Deleted in the vendor's tools: the job stops.
    await (await gateway.app.get(VendorAccountService).adapterFor(accountId)).cancelTasks([made.vendorTaskId]);
    const afterDelete = (await call('POST', '/scheduled-jobs/vendor-sync')).json as unknown as Array<{
      accountId: string;
      stopped: number;
    }>;
    expect(afterDelete.find((outcome) => outcome.accountId === accountId)?.stopped).toBe(1);
    expect((await call('GET', `/scheduled-jobs/${imported.id as string}`)).json).toMatchObject({
      enabled: false,
      vendorScheduleId: null,
    });
  });
});
