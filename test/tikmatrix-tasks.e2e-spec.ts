import type { INestApplicationContext } from '@nestjs/common';
import {
  authLogin,
  devicesRegister,
  tasksCreate,
  tasksGet,
  vendorAccountsCreate,
  type TaskDetailDto,
} from '@fleetgate/sdk';
import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { startWorker } from './support/worker-harness';

type Client = RunningGateway['client'];
const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];

interface VendorTask {
  id: number;
  serial: string;
  username: string;
  script_name: string;
  status: number;
}

/**
 * TikMatrix tasks through the gateway and worker against the TikMatrix simulator over HTTP: a serial
 * owns every task the vendor created for it (one per account on the device), and a usernames-mode
 * task tracks one vendor task per username.
 */
describe('TikMatrix tasks (e2e)', () => {
  const env = { REDIS_PREFIX: `fg-e2e-tm-${process.pid}-${Date.now()}` };
  let sim: SimulatorServer;
  let simUrl: string;
  let gateway: RunningGateway;
  let worker: INestApplicationContext;
  let admin: Client;
  let accountId: string;

  async function finished(taskId: string): Promise<TaskDetailDto> {
    for (let i = 0; i < 600; i++) {
      const task = (await tasksGet({ client: admin, path: { id: taskId } })).data!;
      if (FINAL.includes(task.status)) return task;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`task ${taskId} did not end`);
  }

  /** The vendor's own record of the tasks of one script. */
  async function vendorTasks(script: string): Promise<VendorTask[]> {
    const answer = (await (await fetch(`${simUrl}/api/v1/task?script_name=${script}&page_size=100`)).json()) as {
      data: { tasks: VendorTask[] };
    };
    return answer.data.tasks;
  }

  beforeAll(async () => {
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 0, seed: 5 });
    simUrl = await sim.listen(0);
    await fetch(`${simUrl}/_sim/tikmatrix/failure-rate`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"rate":0}',
    });
    gateway = await startGateway(env);
    worker = await startWorker(env);
    const { data } = await authLogin({ client: gateway.client, body: ADMIN });
    admin = gateway.as(data!.accessToken);
    const created = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'tikmatrix', name: `tm-${Date.now()}`, baseUrl: simUrl, credentials: {} },
    });
    accountId = created.data!.id;
    for (const vendorRef of ['TMX000001', 'TMX000002', 'TMX000003']) {
      await devicesRegister({ client: admin, body: { accountId, vendorRef } });
    }
  });

  afterAll(async () => {
    await worker?.close();
    await gateway?.close();
    await sim?.close();
  });

  it('gives each serial every task the vendor created for it and ends it from all of them', async () => {
    await fetch(`${simUrl}/_sim/tikmatrix/devices/TMX000003`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"online":false}',
    });
    const created = await tasksCreate({
      client: admin,
      body: { operation: { type: 'script.start', params: { script: 'profile' } }, targets: { accountId } },
    });
    const task = await finished(created.data!.id);
    const vendor = await vendorTasks('profile');
    // Two accounts on each device: two vendor tasks per serial, sent once.
    expect(vendor).toHaveLength(6);
    const rows = task.targetRows;
    expect(rows.map((row) => [row.vendorRef, row.status])).toEqual([
      ['TMX000001', 'succeeded'],
      ['TMX000002', 'succeeded'],
      ['TMX000003', 'failed'],
    ]);
    for (const row of rows) {
      const own = vendor
        .filter((vendorTask) => vendorTask.serial === row.vendorRef)
        .map((vendorTask) => String(vendorTask.id));
      expect([...row.vendorTaskIds].sort()).toEqual(own.sort());
      expect(row.error?.code).not.toBe('no_answer');
    }
  });

  it('tracks a usernames-mode task per username, each batch sending only its own usernames', async () => {
    const usernames = ['tm_user_4a', 'tm_user_5b', 'tm_user_6a'];
    const created = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'script.start', params: { script: 'account_warmup', usernames } },
        targets: { accountId },
        // Batches of two usernames: the second batch is sent on its own.
        rollout: { targetsPerMinute: 24 },
      },
    });
    expect(created.response.status).toBe(202);
    const task = await finished(created.data!.id);
    expect(task.counts.total).toBe(3);
    expect(task.targetRows.map((row) => [row.vendorRef, row.deviceId, row.status])).toEqual([
      ['tm_user_4a', null, 'succeeded'],
      ['tm_user_5b', null, 'succeeded'],
      ['tm_user_6a', null, 'succeeded'],
    ]);
    // The vendor received each username once, and each target follows its own vendor task.
    const vendor = await vendorTasks('account_warmup');
    expect(vendor.map((vendorTask) => vendorTask.username).sort()).toEqual(usernames);
    for (const row of task.targetRows) {
      expect(vendor.find((vendorTask) => String(vendorTask.id) === row.vendorTaskId)?.username).toBe(row.vendorRef);
    }
  });

  it('refuses usernames for a vendor other than TikMatrix, naming the field', async () => {
    const easyclick = await vendorAccountsCreate({
      client: admin,
      body: { vendor: 'easyclick', name: `ec-${Date.now()}`, baseUrl: simUrl, credentials: { dataSecret: 'x' } },
    });
    await devicesRegister({ client: admin, body: { accountId: easyclick.data!.id, vendorRef: '001' } });
    const refused = await tasksCreate({
      client: admin,
      body: {
        operation: { type: 'script.start', params: { script: 'login', usernames: ['someone'], taskId: '1' } },
        targets: { accountId: easyclick.data!.id },
      },
    });
    expect(refused.response.status).toBe(422);
    expect(JSON.stringify(refused.error)).toContain('operation.params.usernames');
  });

  describe('stopping a running script with script.stop', () => {
    let slowSim: SimulatorServer;
    let slowAccountId: string;
    let deviceId: string;

    beforeAll(async () => {
      // Slow runs: a task waits 1000 s before it runs, so the stop finds it pending.
      slowSim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 1000, seed: 6 });
      const url = await slowSim.listen(0);
      const created = await vendorAccountsCreate({
        client: admin,
        body: { vendor: 'tikmatrix', name: `tm-stop-${Date.now()}`, baseUrl: url, credentials: {} },
      });
      slowAccountId = created.data!.id;
      deviceId = (await devicesRegister({ client: admin, body: { accountId: slowAccountId, vendorRef: 'TMX000001' } }))
        .data!.id;
    });

    afterAll(async () => {
      await slowSim?.close();
    });

    it('reports the accepted stop succeeded and the stopped run cancelled, naming the stopping task', async () => {
      const start = await tasksCreate({
        client: admin,
        body: { operation: { type: 'script.start', params: { script: 'login' } }, targets: { deviceIds: [deviceId] } },
      });
      let vendorTaskId: string | null | undefined;
      for (let i = 0; i < 600 && !vendorTaskId; i++) {
        const row = (await tasksGet({ client: admin, path: { id: start.data!.id } })).data!.targetRows[0];
        if (row?.status === 'running') vendorTaskId = row.vendorTaskId;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(vendorTaskId).toBeTruthy();

      const stop = await tasksCreate({
        client: admin,
        body: {
          operation: { type: 'script.stop', params: { taskId: vendorTaskId! } },
          targets: { deviceIds: [deviceId] },
        },
      });
      const stopTask = await finished(stop.data!.id);
      expect(stopTask.status).toBe('succeeded');
      expect(stopTask.targetRows[0]).toMatchObject({ status: 'succeeded', vendorTaskId });

      const stopped = await finished(start.data!.id);
      expect(stopped.status).toBe('cancelled');
      expect(stopped.targetRows[0]).toMatchObject({
        status: 'cancelled',
        error: { code: 'cancelled', message: `stopped by task ${stop.data!.id} (script.stop)` },
      });
    });
  });
});
