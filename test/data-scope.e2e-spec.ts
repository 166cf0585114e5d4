import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { JobProducer, jobIdOf } from '@fleetgate/queues';
import { createGizwitsSimulator, DEMO_CREDENTIALS, SimulatorServer } from '@fleetgate/simulators';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { startWorker } from './support/worker-harness';
import { until } from './support/until';
import { callApi } from './support/call-api';

/**
 * Data scope with a second caller of other rights: a department-scoped operator next to the
 * administrator, over every route that reads or changes devices, tasks, artifacts, events and
 * scheduled jobs, and over what a scheduled job does when it fires on its creator's behalf.
 */
const PASSWORD = 'scope-pass-2026';
const run = randomUUID().slice(0, 8);
const OPERATOR_PERMISSIONS = [
  'devices:read',
  'devices:manage',
  'tasks:read',
  'tasks:manage',
  'schedules:read',
  'schedules:manage',
  'events:read',
  'events:manage',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many routes, read field by field
type Json = any;

/** A subscriber on loopback: the bodies it received, and its URL. */
async function startReceiver(): Promise<{ receiver: Server; received: string[]; url: string }> {
  const received: string[] = [];
  const receiver: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return { receiver, received, url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` };
}

describe('data scope with a second caller (e2e: gateway, worker, Gizwits simulator)', () => {
  const executorGroup = `scope-${process.pid}-${Date.now()}`;
  const env = { REDIS_PREFIX: `fg-scope-${process.pid}-${Date.now()}`, EXECUTOR_GROUP: executorGroup };
  let sim: SimulatorServer;
  let gateway: RunningGateway;
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let adminToken: string;
  let accountId: string;
  const departments: { mine: string; other: string } = { mine: '', other: '' };
  /** Devices of the operator's department, and the rest of the fleet. */
  let inScope: string[];
  let outOfScope: string[];
  let operator: { id: string; roleId: string; accessToken: string };
  let stranger: { id: string; roleId: string; accessToken: string };

  const call = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    callApi(gateway.baseUrl, method, path, token, body, headers);

  /** A role with these permissions and scope, and a signed-in user holding only it. */
  async function userWith(label: string, permissions: string[], dataScope: string, departmentId: string) {
    const role = await call('POST', '/admin/roles', adminToken, { code: `${label}-${run}`, name: label, dataScope });
    expect(role.status).toBe(201);
    expect(
      (await call('PUT', `/admin/roles/${role.json.id}/grants`, adminToken, { menuIds: [], permissions })).status,
    ).toBe(200);
    const email = `${label}.${run}@example.com`;
    const user = await call('POST', '/admin/users', adminToken, {
      email,
      name: label,
      password: PASSWORD,
      roleIds: [role.json.id],
      departmentId,
    });
    expect(user.status).toBe(201);
    const login = await call('POST', '/auth/login', undefined, { email, password: PASSWORD });
    expect(login.status).toBe(200);
    return {
      id: user.json.id as string,
      roleId: role.json.id as string,
      accessToken: login.json.accessToken as string,
    };
  }

  const datapoints = (targets: Record<string, unknown>, brightness = 1) => ({
    operation: { type: 'control.datapoints', params: { attrs: { brightness } } },
    targets,
  });

  async function createJob(token: string, body: Record<string, unknown>) {
    return call('POST', '/scheduled-jobs', token, {
      name: `scope-job-${randomUUID().slice(0, 8)}`,
      scheduleKind: 'cron',
      cron: '0 0 1 1 *',
      enabled: false,
      executorGroup,
      ...body,
    });
  }

  /** Runs a job once on demand (it then acts for the caller) and answers its run once it has a task or has ended. */
  async function fireOnce(token: string, jobId: string): Promise<Json> {
    expect((await call('POST', `/scheduled-jobs/${jobId}/run`, token)).status).toBe(201);
    return firstRun(jobId);
  }

  /** Fires an enabled job as its own schedule does, with no caller behind the tick, and answers its run. */
  async function fireOnSchedule(jobId: string): Promise<Json> {
    const scheduledFor = new Date().toISOString();
    await gateway.app
      .get(JobProducer)
      .enqueue(
        'schedules.fire',
        { jobId, trigger: 'schedule', scheduledFor },
        { jobId: jobIdOf('schedules.fire', jobId, 'scope-test', Date.parse(scheduledFor)) },
      );
    return firstRun(jobId);
  }

  async function firstRun(jobId: string): Promise<Json> {
    const runs = await until(
      async () => (await call('GET', `/job-runs?jobId=${jobId}`, adminToken)).json.items as Json[],
      (items) => items.some((item) => item.taskId || item.status !== 'running'),
      'a run with a task or an end',
    );
    return runs[0];
  }

  async function taskDeviceIds(taskId: string): Promise<string[]> {
    const { json } = await call('GET', `/tasks/${taskId}`, adminToken);
    return (json.targetRows as Array<{ deviceId: string }>).map((target) => target.deviceId).sort();
  }

  async function finished(taskId: string, token = adminToken): Promise<Json> {
    return until(
      async () => (await call('GET', `/tasks/${taskId}`, token)).json,
      (task) => Boolean(task.finishedAt),
      `task ${taskId} to end`,
    );
  }

  beforeAll(async () => {
    sim = new SimulatorServer(createGizwitsSimulator, { fleetSize: 10, timeScale: 0, seed: 11 });
    const simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    worker = await startWorker(env);
    prisma = gateway.app.get(PrismaService);
    adminToken = (await call('POST', '/auth/login', undefined, ADMIN)).json.accessToken;
    const account = await call('POST', '/vendor-accounts', adminToken, {
      vendor: 'gizwits',
      name: `scope-${run}`,
      baseUrl: simUrl,
      credentials: DEMO_CREDENTIALS.gizwits,
    });
    expect(account.status).toBe(201);
    accountId = account.json.id;
    await call('POST', '/devices/sync', adminToken, { accountId });
    const devices = await until(
      async () => (await call('GET', `/devices?accountId=${accountId}&pageSize=200`, adminToken)).json.items as Json[],
      (items) => items.length === 10,
      'inventory sync',
    );
    departments.mine = (await call('POST', '/admin/departments', adminToken, { name: `mine-${run}` })).json.id;
    departments.other = (await call('POST', '/admin/departments', adminToken, { name: `other-${run}` })).json.id;
    const ids = devices.map((device) => device.id as string).sort();
    inScope = ids.slice(0, 3);
    outOfScope = ids.slice(3);
    await prisma.device.updateMany({ where: { id: { in: inScope } }, data: { departmentId: departments.mine } });
    await prisma.device.updateMany({ where: { id: { in: outOfScope } }, data: { departmentId: departments.other } });
    operator = await userWith('operator', OPERATOR_PERMISSIONS, 'department', departments.mine);
    stranger = await userWith('stranger', OPERATOR_PERMISSIONS, 'department', departments.other);
  });

  afterAll(async () => {
    // The account's simulator stops with the suite: later pulls and syncs of other suites skip it.
    if (accountId) await call('DELETE', `/vendor-accounts/${accountId}`, adminToken);
    await worker?.close();
    await gateway?.close();
    await sim?.close();
  });

  describe('scheduled jobs act with their creator’s current access', () => {
    it('a department operator’s schedule over the whole fleet reaches only the devices of their scope', async () => {
      const created = await createJob(operator.accessToken, { action: datapoints({ accountId }) });
      expect(created.status).toBe(201);
      const fired = await fireOnce(operator.accessToken, created.json.id);
      expect(fired.taskId).toEqual(expect.any(String));
      expect(await taskDeviceIds(fired.taskId)).toEqual(inScope);
      // The task is the creator's: it sees it, as it sees the tasks it creates itself.
      expect((await call('GET', `/tasks/${fired.taskId}`, operator.accessToken)).status).toBe(200);
    });

    it('a job run or started by another caller acts for that caller: a wider colleague’s job reaches only its scope', async () => {
      const wide = await userWith('widejobs', OPERATOR_PERMISSIONS, 'all', departments.mine);
      const created = await createJob(wide.accessToken, { action: datapoints({ accountId }) });
      expect(created.status).toBe(201);
      // Stopped, and run by the narrower colleague of the same department.
      const fired = await fireOnce(operator.accessToken, created.json.id);
      expect(fired.taskId).toEqual(expect.any(String));
      expect(await taskDeviceIds(fired.taskId)).toEqual(inScope);
      expect((await prisma.scheduledJob.findUniqueOrThrow({ where: { id: created.json.id } })).createdById).toBe(
        operator.id,
      );

      const other = await createJob(wide.accessToken, { action: datapoints({ accountId }) });
      expect(other.status).toBe(201);
      expect((await call('POST', `/scheduled-jobs/${other.json.id}/start`, operator.accessToken)).status).toBe(201);
      expect(await prisma.scheduledJob.findUniqueOrThrow({ where: { id: other.json.id } })).toMatchObject({
        enabled: true,
        createdById: operator.id,
      });
      // Stopping takes nothing away from anyone: the job keeps acting for whoever it acts for.
      expect((await call('POST', `/scheduled-jobs/${other.json.id}/stop`, wide.accessToken)).status).toBe(201);
      expect(await prisma.scheduledJob.findUniqueOrThrow({ where: { id: other.json.id } })).toMatchObject({
        enabled: false,
        createdById: operator.id,
      });
    });

    it('refuses a job from a caller who lacks the permission its action needs', async () => {
      const scheduler = await userWith(
        'scheduler',
        ['schedules:read', 'schedules:manage', 'devices:read'],
        'department',
        departments.mine,
      );
      const refused = await createJob(scheduler.accessToken, { action: datapoints({ accountId }) });
      expect(refused.status).toBe(403);
      expect(refused.json.error.message).toContain('tasks:manage');
    });

    it('fails the run, with the reason, when the creator was disabled since; nothing is sent', async () => {
      const creator = await userWith('leaver', OPERATOR_PERMISSIONS, 'department', departments.mine);
      const created = await createJob(creator.accessToken, {
        action: datapoints({ deviceIds: inScope }),
        enabled: true,
      });
      expect(created.status).toBe(201);
      expect((await call('POST', `/admin/users/${creator.id}/disable`, adminToken)).status).toBe(200);
      const fired = await fireOnSchedule(created.json.id);
      expect(fired).toMatchObject({ status: 'failed', taskId: null });
      expect(fired.error).toContain('disabled');
      await call('DELETE', `/scheduled-jobs/${created.json.id}`, adminToken);
    });

    it('fails the run when the creator no longer holds the action’s permission', async () => {
      const creator = await userWith('demoted', OPERATOR_PERMISSIONS, 'department', departments.mine);
      const created = await createJob(creator.accessToken, {
        action: datapoints({ deviceIds: inScope }),
        enabled: true,
      });
      expect(created.status).toBe(201);
      const kept = OPERATOR_PERMISSIONS.filter((permission) => permission !== 'tasks:manage');
      expect(
        (await call('PUT', `/admin/roles/${creator.roleId}/grants`, adminToken, { menuIds: [], permissions: kept }))
          .status,
      ).toBe(200);
      const fired = await fireOnSchedule(created.json.id);
      expect(fired).toMatchObject({ status: 'failed', taskId: null });
      expect(fired.error).toContain('tasks:manage');
      await call('DELETE', `/scheduled-jobs/${created.json.id}`, adminToken);
    });

    it('targets the creator’s current scope: devices moved out since are no longer reached', async () => {
      const creator = await userWith('mover', OPERATOR_PERMISSIONS, 'department', departments.mine);
      const created = await createJob(creator.accessToken, { action: datapoints({ accountId }), enabled: true });
      expect(created.status).toBe(201);
      expect(
        (await call('PATCH', `/admin/users/${creator.id}`, adminToken, { departmentId: departments.other })).status,
      ).toBe(200);
      const fired = await fireOnSchedule(created.json.id);
      expect(await taskDeviceIds(fired.taskId)).toEqual([...outOfScope].sort());
      await call('DELETE', `/scheduled-jobs/${created.json.id}`, adminToken);
    });

    it('refuses a schedule kept by the vendor over devices outside the creator’s scope', async () => {
      const vendorKept = (deviceIds: string[]) =>
        call('POST', '/scheduled-jobs', operator.accessToken, {
          name: `scope-vendor-${randomUUID().slice(0, 8)}`,
          runner: 'vendor',
          scheduleKind: 'once',
          runAt: new Date(Date.now() + 86_400_000).toISOString(),
          timeZone: 'UTC',
          enabled: false,
          action: datapoints({ deviceIds }),
        });
      const outside = await vendorKept([outOfScope[0]]);
      expect(outside.status).toBe(422);
      expect(JSON.stringify(outside.json.error.details)).toContain('action.targets.deviceIds');
      expect((await vendorKept([inScope[1]])).status).toBe(201);
    });

    it('hides other callers’ jobs and their runs', async () => {
      const created = await createJob(adminToken, { action: datapoints({ deviceIds: outOfScope }) });
      const fired = await fireOnce(adminToken, created.json.id);
      expect(fired.taskId).toEqual(expect.any(String));
      expect((await call('GET', `/scheduled-jobs/${created.json.id}`, operator.accessToken)).status).toBe(404);
      expect((await call('POST', `/scheduled-jobs/${created.json.id}/run`, operator.accessToken)).status).toBe(404);
      const listed = (await call('GET', '/scheduled-jobs?pageSize=200', operator.accessToken)).json.items as Json[];
      expect(listed.map((job) => job.id)).not.toContain(created.json.id);
      const runs = (await call('GET', `/job-runs?jobId=${created.json.id}`, operator.accessToken)).json;
      expect(runs.items).toEqual([]);
      const all = (await call('GET', '/job-runs?pageSize=200', operator.accessToken)).json.items as Json[];
      expect(all.map((item) => item.jobId)).not.toContain(created.json.id);
    });
  });

  describe('Idempotency-Keys belong to their caller', () => {
    it('another caller’s key neither answers their task nor blocks this caller', async () => {
      const key = `shared-${run}`;
      const body = datapoints({ accountId }, 7);
      const first = await call('POST', '/tasks', operator.accessToken, body, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      const same = await call('POST', '/tasks', stranger.accessToken, body, { 'idempotency-key': key });
      expect(same.status).toBe(202);
      expect(same.json.id).not.toBe(first.json.id);
      const other = await call('POST', '/tasks', stranger.accessToken, datapoints({ accountId }, 8), {
        'idempotency-key': `other-${run}`,
      });
      const clash = await call('POST', '/tasks', operator.accessToken, datapoints({ accountId }, 9), {
        'idempotency-key': `other-${run}`,
      });
      expect(clash.status).toBe(202);
      expect(JSON.stringify(clash.json)).not.toContain(other.json.id);
      // The caller's own retry still answers its own task.
      const again = await call('POST', '/tasks', operator.accessToken, body, { 'idempotency-key': key });
      expect(again).toMatchObject({ status: 200, json: { id: first.json.id } });
    });

    it('a key shaped like a schedule’s does not block the scheduled run', async () => {
      const runAt = new Date(Math.ceil((Date.now() + 5_000) / 1000) * 1000);
      const created = await call('POST', '/scheduled-jobs', operator.accessToken, {
        name: `scope-once-${run}`,
        scheduleKind: 'once',
        runAt: runAt.toISOString(),
        executorGroup,
        action: datapoints({ deviceIds: inScope }),
      });
      expect(created.status).toBe(201);
      const squatter = await call('POST', '/tasks', stranger.accessToken, datapoints({ accountId }, 5), {
        'idempotency-key': `schedule/${created.json.id}/${runAt.toISOString()}/0`,
      });
      expect(squatter.status).toBe(202);
      const runs = await until(
        async () => (await call('GET', `/job-runs?jobId=${created.json.id}`, adminToken)).json.items as Json[],
        (items) => items.some((item) => item.taskId || item.status !== 'running'),
        'the scheduled run',
      );
      expect(runs[0].status).not.toBe('failed');
      expect(runs[0].taskId).toEqual(expect.any(String));
      expect(runs[0].taskId).not.toBe(squatter.json.id);
    });
  });

  describe('devices', () => {
    it('GET /devices/{id} and GET /devices answer only devices in the caller’s scope, each as the administrator sees it', async () => {
      // Both reads are SQL written by hand on the request path (DeviceRepository.find, list).
      const page = await call('GET', `/devices?accountId=${accountId}&pageSize=50`, operator.accessToken);
      expect(page.status).toBe(200);
      expect((page.json.items as Json[]).map((device) => device.id).sort()).toEqual(inScope);
      expect(page.json.total).toBe(inScope.length);
      const mine = await call('GET', `/devices/${inScope[0]}`, operator.accessToken);
      expect(mine.status).toBe(200);
      expect(mine.json).toEqual((await call('GET', `/devices/${inScope[0]}`, adminToken)).json);
      expect(Object.keys(mine.json).sort()).toEqual(
        [
          'accountId',
          'attributes',
          'createdAt',
          'departmentId',
          'groupId',
          'id',
          'lastSeenAt',
          'model',
          'name',
          'ownerId',
          'status',
          'syncedAt',
          'tags',
          'updatedAt',
          'vendor',
          'vendorRef',
        ].sort(),
      );
      const theirs = await call('GET', `/devices/${outOfScope[0]}`, operator.accessToken);
      expect(theirs.status).toBe(404);
      expect(theirs.json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect((await call('GET', `/devices/${outOfScope[0]}`, stranger.accessToken)).status).toBe(200);
    });

    it('a task made from a filter targets the devices GET /devices lists for it: a text with % or _ is no wildcard', async () => {
      for (const text of ['%', '_', '%%']) {
        const listed = await call(
          'GET',
          `/devices?accountId=${accountId}&text=${encodeURIComponent(text)}`,
          operator.accessToken,
        );
        expect(listed.status).toBe(200);
        expect(listed.json.total).toBe(0);
        // Had the filter matched as a LIKE pattern here, the task would go to every device in scope.
        const task = await call('POST', '/tasks', operator.accessToken, datapoints({ filter: { accountId, text } }));
        expect({ text, status: task.status, details: task.json.error?.details }).toEqual({
          text,
          status: 422,
          details: [{ field: 'targets', problem: 'selects no device' }],
        });
      }
    });

    it('a task whose targets the worker writes after the 202 reaches only the caller’s scope', async () => {
      // A gateway that answers before writing the targets of any task of more than one device.
      const deferring = await startGateway({ ...env, TASK_INLINE_TARGETS: '1' });
      try {
        const accepted = await callApi(
          deferring.baseUrl,
          'POST',
          '/tasks',
          operator.accessToken,
          datapoints({ accountId }),
        );
        expect(accepted.status).toBe(202);
        expect(accepted.json).toMatchObject({ preparing: true, counts: { total: inScope.length } });
        // An operator of the other department neither sees nor stops nor retries it, written or not.
        for (const [method, path] of [
          ['GET', `/tasks/${accepted.json.id}`],
          ['POST', `/tasks/${accepted.json.id}/cancel`],
          ['POST', `/tasks/${accepted.json.id}/retry`],
        ]) {
          expect((await callApi(deferring.baseUrl, method, path, stranger.accessToken)).status).toBe(404);
        }
        const listed = await callApi(deferring.baseUrl, 'GET', '/tasks?pageSize=100', stranger.accessToken);
        expect(listed.json.items.map((task: { id: string }) => task.id)).not.toContain(accepted.json.id);
        await finished(accepted.json.id);
        expect(await taskDeviceIds(accepted.json.id)).toEqual(inScope);
      } finally {
        await deferring.close();
      }
    });

    it('PATCH /devices/{id} refuses a department or owner outside the caller’s scope', async () => {
      const device = inScope[0];
      const elsewhere = await call('PATCH', `/devices/${device}`, operator.accessToken, {
        departmentId: departments.other,
      });
      expect(elsewhere.status).toBe(403);
      expect(JSON.stringify(elsewhere.json.error)).toContain('departmentId');
      const strangerOwned = await call('PATCH', `/devices/${device}`, operator.accessToken, { ownerId: stranger.id });
      expect(strangerOwned.status).toBe(403);
      expect(JSON.stringify(strangerOwned.json.error)).toContain('ownerId');
      const unchanged = await prisma.device.findUniqueOrThrow({ where: { id: device } });
      expect(unchanged).toMatchObject({ departmentId: departments.mine, ownerId: null });
      // Within the scope both are the caller's to set.
      const mine = await call('PATCH', `/devices/${device}`, operator.accessToken, {
        departmentId: departments.mine,
        ownerId: operator.id,
      });
      expect(mine.status).toBe(200);
      await prisma.device.update({ where: { id: device }, data: { ownerId: null } });
    });

    it('PATCH /devices/{id} refuses clearing the department when the device would leave the caller’s scope', async () => {
      const device = inScope[0];
      const cleared = await call('PATCH', `/devices/${device}`, operator.accessToken, { departmentId: null });
      expect(cleared.status).toBe(403);
      expect(JSON.stringify(cleared.json.error.details)).toContain('departmentId');
      expect((await prisma.device.findUniqueOrThrow({ where: { id: device } })).departmentId).toBe(departments.mine);
      // Assigned to the caller, the device stays in their scope without a department.
      const kept = await call('PATCH', `/devices/${device}`, operator.accessToken, {
        departmentId: null,
        ownerId: operator.id,
      });
      expect(kept.status).toBe(200);
      await prisma.device.update({ where: { id: device }, data: { departmentId: departments.mine, ownerId: null } });
    });

    it('group membership changes refuse devices outside the caller’s scope', async () => {
      const group = await call('POST', '/devices/groups', adminToken, { name: `scope-group-${run}` });
      expect(group.status).toBe(201);
      const added = await call('POST', `/devices/groups/${group.json.id}/devices`, operator.accessToken, {
        deviceIds: [inScope[0], outOfScope[0]],
      });
      expect(added.status).toBe(422);
      expect(JSON.stringify(added.json.error.details)).toContain(outOfScope[0]);
      expect((await prisma.device.findUniqueOrThrow({ where: { id: outOfScope[0] } })).groupId).toBeNull();
      expect((await prisma.device.findUniqueOrThrow({ where: { id: inScope[0] } })).groupId).toBeNull();

      await call('POST', `/devices/groups/${group.json.id}/devices`, adminToken, { deviceIds: [outOfScope[1]] });
      const removed = await call('DELETE', `/devices/groups/${group.json.id}/devices`, operator.accessToken, {
        deviceIds: [outOfScope[1]],
      });
      expect(removed.status).toBe(422);
      expect((await prisma.device.findUniqueOrThrow({ where: { id: outOfScope[1] } })).groupId).toBe(group.json.id);
      // Deleting the group would take the device out of it too.
      expect((await call('DELETE', `/devices/groups/${group.json.id}`, operator.accessToken)).status).toBe(403);
      expect((await prisma.device.findUniqueOrThrow({ where: { id: outOfScope[1] } })).groupId).toBe(group.json.id);
      // Renaming it changes what others see of their devices: refused the same way.
      const renamed = await call('PATCH', `/devices/groups/${group.json.id}`, operator.accessToken, {
        name: `taken-${run}`,
      });
      expect(renamed.status).toBe(403);
      expect(renamed.json.error.code).toBe('forbidden');
      expect((await prisma.deviceGroup.findUniqueOrThrow({ where: { id: group.json.id } })).name).toBe(
        `scope-group-${run}`,
      );
      // A group holding only devices of the caller's scope is the caller's to rename.
      const mine = await call('POST', '/devices/groups', adminToken, { name: `scope-mine-${run}` });
      await call('POST', `/devices/groups/${mine.json.id}/devices`, adminToken, { deviceIds: [inScope[2]] });
      const own = await call('PATCH', `/devices/groups/${mine.json.id}`, operator.accessToken, {
        name: `scope-mine-renamed-${run}`,
      });
      expect(own.status).toBe(200);
      await call('DELETE', `/devices/groups/${mine.json.id}`, adminToken);
    });
  });

  describe('artifacts', () => {
    it('belong to their creator’s department: others neither see, delete nor install them', async () => {
      const theirs = await call('POST', '/artifacts', stranger.accessToken, {
        kind: 'app',
        name: `stranger-app-${run}`,
        url: 'https://downloads.example.com/stranger.apk',
        packageName: 'com.example.stranger',
      });
      expect(theirs.status).toBe(201);
      const mine = await call('POST', '/artifacts', operator.accessToken, {
        kind: 'app',
        name: `operator-app-${run}`,
        url: 'https://downloads.example.com/operator.apk',
        packageName: 'com.example.operator',
      });
      expect(mine.status).toBe(201);
      const listed = (await call('GET', '/artifacts?pageSize=200', operator.accessToken)).json.items as Json[];
      expect(listed.map((artifact) => artifact.id)).toContain(mine.json.id);
      expect(listed.map((artifact) => artifact.id)).not.toContain(theirs.json.id);
      // A search matching both names keeps to the scope as well.
      const found = (await call('GET', `/artifacts?pageSize=200&text=app-${run}`, operator.accessToken)).json
        .items as Json[];
      expect(found.map((artifact) => artifact.id)).toEqual([mine.json.id]);
      expect((await call('GET', `/artifacts/${theirs.json.id}`, operator.accessToken)).status).toBe(404);
      expect((await call('DELETE', `/artifacts/${theirs.json.id}`, operator.accessToken)).status).toBe(404);
      const install = await call('POST', '/tasks', operator.accessToken, {
        operation: { type: 'app.install', params: { artifactId: theirs.json.id } },
        targets: { deviceIds: [inScope[0]] },
      });
      expect(install.status).toBe(422);
      expect((await call('GET', `/artifacts/${theirs.json.id}`, adminToken)).status).toBe(200);
    });
  });

  describe('events', () => {
    it('subscriptions and their deliveries are visible only within the caller’s scope', async () => {
      const theirs = await call('POST', '/event-subscriptions', stranger.accessToken, {
        name: `stranger-sub-${run}`,
        url: 'http://127.0.0.1:9/hook',
      });
      expect(theirs.status).toBe(201);
      const id = theirs.json.id;
      const listed = (await call('GET', '/event-subscriptions', operator.accessToken)).json as Json[];
      expect(listed.map((subscription) => subscription.id)).not.toContain(id);
      expect((await call('GET', `/event-subscriptions/${id}`, operator.accessToken)).status).toBe(404);
      expect((await call('GET', `/event-subscriptions/${id}/deliveries`, operator.accessToken)).status).toBe(404);
      expect((await call('PATCH', `/event-subscriptions/${id}`, operator.accessToken, { enabled: false })).status).toBe(
        404,
      );
      expect(
        (await call('POST', `/event-subscriptions/${id}/deliveries/${randomUUID()}/redeliver`, operator.accessToken))
          .status,
      ).toBe(404);
      expect((await call('DELETE', `/event-subscriptions/${id}`, operator.accessToken)).status).toBe(404);
      expect((await call('GET', `/event-subscriptions/${id}`, stranger.accessToken)).status).toBe(200);
      await call('DELETE', `/event-subscriptions/${id}`, stranger.accessToken);
    });

    it('a subscription edited by another caller acts for its editor: no events beyond the editor’s scope', async () => {
      const wide = await userWith('widesubs', OPERATOR_PERMISSIONS, 'all', departments.mine);
      const { receiver, received, url } = await startReceiver();
      try {
        const subscription = await call('POST', '/event-subscriptions', wide.accessToken, {
          name: `wide-sub-${run}`,
          url: 'http://127.0.0.1:9/hook',
          eventTypes: ['task.completed'],
        });
        expect(subscription.status).toBe(201);
        // The narrower colleague of the same department points the wider colleague's subscription at itself.
        const edited = await call('PATCH', `/event-subscriptions/${subscription.json.id}`, operator.accessToken, {
          url,
        });
        expect(edited.status).toBe(200);
        expect(await prisma.eventSubscription.findUniqueOrThrow({ where: { id: subscription.json.id } })).toMatchObject(
          { createdById: operator.id, departmentId: departments.mine },
        );
        // Subscriptions are cached for up to 5 s per process; let the worker's cache expire.
        await new Promise((resolve) => setTimeout(resolve, 5_500));

        const outside = await call('POST', '/tasks', adminToken, datapoints({ deviceIds: [outOfScope[2]] }, 4));
        expect(outside.status).toBe(202);
        await finished(outside.json.id);
        const inside = await call('POST', '/tasks', operator.accessToken, datapoints({ deviceIds: [inScope[1]] }, 5));
        expect(inside.status).toBe(202);
        await finished(inside.json.id, operator.accessToken);
        await until(
          async () => received.join('\n'),
          (bodies) => bodies.includes(inside.json.id),
          'the in-scope delivery to the edited URL',
        );
        expect(received.join('\n')).not.toContain(outside.json.id);

        // Rotating the secret hands the subscription to whoever rotates it as well.
        const rotated = await call('POST', '/event-subscriptions', wide.accessToken, {
          name: `wide-rotated-${run}`,
          url: 'http://127.0.0.1:9/hook',
        });
        expect(rotated.status).toBe(201);
        expect(
          (await call('POST', `/event-subscriptions/${rotated.json.id}/secret`, operator.accessToken)).status,
        ).toBe(200);
        expect((await prisma.eventSubscription.findUniqueOrThrow({ where: { id: rotated.json.id } })).createdById).toBe(
          operator.id,
        );
        // Switching it off or on only narrows or restores what it was: it keeps acting for its owner.
        expect(
          (await call('PATCH', `/event-subscriptions/${rotated.json.id}`, wide.accessToken, { enabled: false })).status,
        ).toBe(200);
        expect((await prisma.eventSubscription.findUniqueOrThrow({ where: { id: rotated.json.id } })).createdById).toBe(
          operator.id,
        );
        await call('DELETE', `/event-subscriptions/${rotated.json.id}`, adminToken);
        await call('DELETE', `/event-subscriptions/${subscription.json.id}`, adminToken);
      } finally {
        receiver.close();
      }
    });

    it('the live stream and a subscription deliver only events of tasks and devices in scope', async () => {
      const { receiver, received, url } = await startReceiver();
      try {
        const subscription = await call('POST', '/event-subscriptions', operator.accessToken, {
          name: `operator-sub-${run}`,
          url,
          eventTypes: ['task.completed'],
        });
        expect(subscription.status).toBe(201);
        const live = await fetch(`${gateway.baseUrl}/events/stream`, {
          headers: { authorization: `Bearer ${operator.accessToken}` },
        });
        const reader = live.body!.getReader();
        // Subscriptions are cached for up to 5 s per process; let the worker's cache expire.
        await new Promise((resolve) => setTimeout(resolve, 5_500));

        const outside = await call('POST', '/tasks', adminToken, datapoints({ deviceIds: [outOfScope[0]] }, 2));
        expect(outside.status).toBe(202);
        await finished(outside.json.id);
        const inside = await call('POST', '/tasks', operator.accessToken, datapoints({ deviceIds: [inScope[0]] }, 3));
        expect(inside.status).toBe(202);
        await finished(inside.json.id, operator.accessToken);

        let streamed = '';
        while (!streamed.includes(`"taskId":"${inside.json.id}"`)) {
          const { value, done } = await reader.read();
          if (done) break;
          streamed += new TextDecoder().decode(value);
        }
        await reader.cancel();
        expect(streamed).toContain(inside.json.id);
        expect(streamed).not.toContain(outside.json.id);

        const deliveries = await until(
          async () =>
            (await call('GET', `/event-subscriptions/${subscription.json.id}/deliveries`, operator.accessToken)).json
              .items as Json[],
          (items) => items.some((item) => JSON.stringify(item.payload).includes(inside.json.id)),
          'the in-scope delivery',
        );
        expect(JSON.stringify(deliveries)).not.toContain(outside.json.id);
        expect(received.join('\n')).not.toContain(outside.json.id);
        await call('DELETE', `/event-subscriptions/${subscription.json.id}`, operator.accessToken);
      } finally {
        receiver.close();
      }
    });
  });
});
