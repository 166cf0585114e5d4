import type { INestApplicationContext } from '@nestjs/common';
import { devicesRegister, tasksCreate, tasksGet, vendorAccountsCreate, type TaskDetailDto } from '@fleetgate/sdk';
import { systemScope, TaskControlService, TaskProgress } from '@fleetgate/fleet';
import { PrismaService } from '@fleetgate/persistence';
import { VendorAccountService, VendorError } from '@fleetgate/vendors';
import { DEMO_CREDENTIALS, SIMULATED_VENDORS, SimulatorServer } from '@fleetgate/simulators';
import { adminToken, type RunningGateway, startGateway } from './support/gateway-harness';
import { startWorker } from './support/worker-harness';

const FINAL = ['succeeded', 'failed', 'partially_failed', 'cancelled', 'timed_out'];

/**
 * EasyClick reports a device that has left its task as done (its document's flow: devices take
 * themselves off when their run ends). A device Fleetgate itself took off by cancelling must still
 * end `cancelled`, even when a poll reads the device's departure before the cancel has been recorded.
 */
describe('cancelling an EasyClick run (e2e: gateway and the EasyClick simulator over HTTP)', () => {
  const env = { REDIS_PREFIX: `fg-e2e-${process.pid}-${Date.now()}` };
  let sim: SimulatorServer;
  let gateway: RunningGateway;
  let worker: INestApplicationContext;
  let accountId: string;
  let deviceId: string;

  beforeAll(async () => {
    // Runs last 2 s × 1000: a device stays on its task until Fleetgate takes it off.
    sim = new SimulatorServer(SIMULATED_VENDORS.easyclick.factory, { fleetSize: 10, timeScale: 1000, seed: 4 });
    const url = await sim.listen(0);
    gateway = await startGateway(env);
    const admin = gateway.as(await adminToken(gateway));
    const account = await vendorAccountsCreate({
      client: admin,
      body: {
        vendor: 'easyclick',
        name: `easyclick-cancel-${Math.random().toString(36).slice(2, 8)}`,
        baseUrl: url,
        credentials: DEMO_CREDENTIALS.easyclick,
      },
    });
    accountId = account.data!.id;
    deviceId = (await devicesRegister({ client: admin, body: { accountId, vendorRef: '004' } })).data!.id;
  });

  afterAll(async () => {
    await worker?.close();
    await gateway?.close();
    await sim?.close();
  });

  /** A script.start target on device 004 of EasyClick task `taskNo`, started and recorded as running. */
  async function runningTarget(taskNo: string) {
    const admin = gateway.as(await adminToken(gateway));
    const operation = { type: 'script.start', params: { script: 'douyin-like', taskId: taskNo } } as const;
    const created = await tasksCreate({ client: admin, body: { operation, targets: { deviceIds: [deviceId] } } });
    const taskId = created.data!.id;
    const adapter = await gateway.app.get(VendorAccountService).adapterFor(accountId);
    const [outcome] = await adapter.dispatch(operation, ['004']);
    await gateway.app.get(PrismaService).taskTarget.updateMany({
      where: { taskId },
      data: {
        status: 'running',
        vendorTaskId: outcome.vendorTaskId,
        dispatchedAt: new Date(),
        deadlineAt: new Date(Date.now() + 600_000),
      },
    });
    return { taskId, adapter, vendorTaskId: outcome.vendorTaskId! };
  }

  it('a target whose vendor refuses the cancel runs on', async () => {
    const { taskId, adapter, vendorTaskId } = await runningTarget('3');
    const refuse = jest
      .spyOn(adapter, 'cancelTasks')
      .mockRejectedValue(new VendorError('easyclick', 'unavailable', '500', 'busy'));
    try {
      await gateway.app.get(TaskControlService).cancel(taskId, systemScope('a test cancelling its own task'));
    } finally {
      refuse.mockRestore();
    }
    const target = await gateway.app.get(PrismaService).taskTarget.findFirstOrThrow({ where: { taskId } });
    expect(target).toMatchObject({ status: 'running', vendorTaskId, errorCode: null, finishedAt: null });
  });

  it('a device Fleetgate removed from its task is cancelled, even when a poll reads its departure first', async () => {
    const { taskId, adapter } = await runningTarget('2');
    const prisma = gateway.app.get(PrismaService);
    expect(await adapter.pollTasks(['2:004'])).toMatchObject([{ status: 'running' }]);

    // A poll lands between the vendor taking the device off and the cancel's own write.
    const progress = gateway.app.get(TaskProgress);
    const removeAtVendor = adapter.cancelTasks.bind(adapter);
    const asked: string[][] = [];
    const cancelTasks = jest.spyOn(adapter, 'cancelTasks').mockImplementation(async (ids) => {
      asked.push(ids);
      await removeAtVendor(ids);
      await progress.apply(accountId, await adapter.pollTasks(ids));
    });
    try {
      await gateway.app.get(TaskControlService).cancel(taskId, systemScope('a test cancelling its own task'));
    } finally {
      cancelTasks.mockRestore();
    }
    expect(asked).toEqual([['2:004']]);
    // The vendor did take the device off (a poll now reads it as gone from the task).
    expect(await adapter.pollTasks(['2:004'])).toMatchObject([{ status: 'succeeded' }]);
    const target = await prisma.taskTarget.findFirstOrThrow({ where: { taskId } });
    expect(target).toMatchObject({ status: 'cancelled', errorCode: 'cancelled' });
    expect((await prisma.task.findUniqueOrThrow({ where: { id: taskId } })).status).toBe('cancelled');
  });

  describe('a run Fleetgate takes a device off with script.devices.remove (dispatched by the worker)', () => {
    // The worker from here on only: the tests above send and record their runs themselves.
    beforeAll(async () => {
      worker = await startWorker(env);
    });
    async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
      for (let i = 0; i < 600; i++) {
        const value = await read();
        if (done(value)) return value;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${what} did not happen`);
    }

    async function task(id: string): Promise<TaskDetailDto> {
      const admin = gateway.as(await adminToken(gateway));
      return (await tasksGet({ client: admin, path: { id } })).data!;
    }

    /** A script.start task on device 004 of EasyClick task `taskNo`, sent by the worker and running. */
    async function started(taskNo: string) {
      const admin = gateway.as(await adminToken(gateway));
      const operation = { type: 'script.start', params: { script: 'douyin-like', taskId: taskNo } } as const;
      const created = await tasksCreate({ client: admin, body: { operation, targets: { deviceIds: [deviceId] } } });
      const id = created.data!.id;
      const running = await waitFor(
        () => task(id),
        (detail) => detail.targetRows[0]?.status === 'running',
        'the start',
      );
      expect(running.targetRows[0].vendorTaskId).toBe(`${taskNo}:004`);
      return id;
    }

    async function removeDevice(taskNo: string) {
      const admin = gateway.as(await adminToken(gateway));
      const operation = { type: 'script.devices.remove', params: { taskId: taskNo } } as const;
      const created = await tasksCreate({ client: admin, body: { operation, targets: { deviceIds: [deviceId] } } });
      const id = created.data!.id;
      return {
        id,
        detail: await waitFor(
          () => task(id),
          (detail) => FINAL.includes(detail.status),
          'the removal',
        ),
      };
    }

    it('ends the stopped run cancelled, naming the removing task, not succeeded', async () => {
      const startId = await started('1');
      const removal = await removeDevice('1');
      expect(removal.detail.status).toBe('succeeded');
      const stopped = await waitFor(
        () => task(startId),
        (detail) => FINAL.includes(detail.status),
        'the run’s end',
      );
      expect(stopped.status).toBe('cancelled');
      expect(stopped.targetRows[0]).toMatchObject({
        status: 'cancelled',
        error: { code: 'cancelled', message: `stopped by task ${removal.id} (script.devices.remove)` },
      });
      // The vendor did take the device off: its own record reads the run as finished.
      const adapter = await gateway.app.get(VendorAccountService).adapterFor(accountId);
      expect(await adapter.pollTasks(['1:004'])).toMatchObject([{ status: 'succeeded' }]);
    });

    it('puts the run back to running when the vendor refuses the removal', async () => {
      const startId = await started('4');
      // The simulator's faults are all transient (retried until they pass), so the refusal is the
      // worker's adapter answering a permanent one, as a vendor refusing the change would.
      const adapter = await worker.get(VendorAccountService).adapterFor(accountId);
      const refuse = jest
        .spyOn(adapter, 'dispatch')
        .mockRejectedValueOnce(new VendorError('easyclick', 'invalid', '400', 'task is locked'));
      let removal: Awaited<ReturnType<typeof removeDevice>>;
      try {
        removal = await removeDevice('4');
      } finally {
        refuse.mockRestore();
      }
      expect(removal.detail.targetRows[0].error).toEqual({ code: '400', message: 'task is locked' });
      expect(removal.detail.status).toBe('failed');
      const runningOn = await task(startId);
      expect(runningOn.status).toBe('running');
      expect(runningOn.targetRows[0]).toMatchObject({ status: 'running', vendorTaskId: '4:004' });
      expect(runningOn.targetRows[0].error ?? null).toBeNull();
    });
  });
});
