import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { PrismaService } from '@fleetgate/persistence';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { callApi } from './support/call-api';

/**
 * The admin back office through HTTP: the authorization matrix over every route of the OpenAPI
 * document, data scopes on devices and tasks, force offline, exports, and the refusals that keep
 * the organisation consistent.
 */
interface Operation {
  security?: unknown[];
  'x-permission'?: string;
}

const PASSWORD = 'matrix-pass-2026';
const run = randomUUID().slice(0, 8);

describe('admin back office (e2e)', () => {
  let gateway: RunningGateway;
  let prisma: PrismaService;
  let adminToken: string;

  const call = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    callApi(gateway.baseUrl, method, path, token, body, headers);

  async function login(email: string, password = PASSWORD) {
    const { status, json } = await call('POST', '/auth/login', undefined, { email, password });
    expect(status).toBe(200);
    return json as { accessToken: string; refreshToken: string };
  }

  /** A role with exactly these permissions and scope, and a signed-in user holding only it. */
  async function userWith(label: string, permissions: string[], extra: Record<string, unknown> = {}) {
    const role = await call('POST', '/admin/roles', adminToken, {
      code: `${label}-${run}`
        .toLowerCase()
        .replace(/[^a-z0-9_.-]/g, '-')
        .slice(0, 64),
      name: label,
      dataScope: (extra.dataScope as string) ?? 'all',
    });
    expect(role.status).toBe(201);
    const granted = await call('PUT', `/admin/roles/${role.json.id}/grants`, adminToken, { menuIds: [], permissions });
    expect(granted.status).toBe(200);
    const email = `${label.toLowerCase().replace(/[^a-z0-9]/g, '')}.${run}@example.com`;
    const user = await call('POST', '/admin/users', adminToken, {
      email,
      name: label,
      password: PASSWORD,
      roleIds: [role.json.id],
      departmentId: extra.departmentId,
    });
    expect(user.status).toBe(201);
    const tokens = await login(email);
    return { id: user.json.id as string, roleId: role.json.id as string, email, ...tokens };
  }

  beforeAll(async () => {
    gateway = await startGateway();
    prisma = gateway.app.get(PrismaService);
    adminToken = (await login(ADMIN.email, ADMIN.password)).accessToken;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('walks every route: without its permission 403, with it never 403', async () => {
    const document = (await (await fetch(`${gateway.baseUrl}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
    );
    const guarded = routes.filter(({ operation }) => operation['x-permission']);
    const permissions = [...new Set(guarded.map(({ operation }) => operation['x-permission']!))];
    expect(guarded.length).toBeGreaterThan(60);

    // Routes open to any signed-in caller are self-service only; everything else names a permission.
    const selfService = routes
      .filter(({ operation }) => operation.security?.length && !operation['x-permission'])
      .map(({ method, path }) => `${method} ${path}`)
      .sort();
    expect(selfService).toEqual(['GET /admin/menus/mine', 'GET /auth/me', 'POST /auth/logout']);

    const nobody = await userWith('matrix-none', []);
    const holders = new Map<string, string>();
    for (const permission of permissions)
      holders.set(permission, (await userWith(`m-${permission}`, [permission])).accessToken);

    const wrong: string[] = [];
    for (const { path, method, operation } of guarded) {
      // A random id in every path parameter: the route must refuse or answer, never run on real data.
      const url = path.replace(/\{[^}]+\}/g, randomUUID());
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const refused = await call(method, url, nobody.accessToken, body);
      if (refused.status !== 403)
        wrong.push(`${method} ${path} without ${operation['x-permission']}: ${refused.status}`);
      else if (refused.json?.error?.code !== 'forbidden') wrong.push(`${method} ${path}: 403 outside the envelope`);
      const allowed = await call(method, url, holders.get(operation['x-permission']!), body);
      if (allowed.status === 403 || allowed.status === 401) {
        wrong.push(`${method} ${path} with ${operation['x-permission']}: ${allowed.status}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);

  it('lists every guarded route as a resource, with its permission', async () => {
    const document = (await (await fetch(`${gateway.baseUrl}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const expected = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => operation['x-permission'])
          .map(
            ([method, operation]) =>
              `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')} ${operation['x-permission']}`,
          ),
      )
      .sort();
    const listed: string[] = [];
    for (let page = 1; ; page++) {
      const { json } = await call('GET', `/admin/resources?pageSize=200&page=${page}`, adminToken);
      for (const resource of json.items) {
        if (resource.active && resource.permission)
          listed.push(`${resource.method} ${resource.path} ${resource.permission}`);
      }
      if (page * 200 >= json.total) break;
    }
    expect(listed.sort()).toEqual(expected);
  });

  it('applies data scopes to every device and task query', async () => {
    const top = (await call('POST', '/admin/departments', adminToken, { name: `ops-${run}` })).json;
    const below = (await call('POST', '/admin/departments', adminToken, { name: `ops-east-${run}`, parentId: top.id }))
      .json;
    const other = (await call('POST', '/admin/departments', adminToken, { name: `sales-${run}` })).json;
    const read = ['devices:read', 'tasks:read'];
    const viewers = {
      all: await userWith('scope-all', read, { dataScope: 'all', departmentId: top.id }),
      tree: await userWith('scope-tree', read, { dataScope: 'department_tree', departmentId: top.id }),
      department: await userWith('scope-dept', read, { dataScope: 'department', departmentId: top.id }),
      own: await userWith('scope-own', read, { dataScope: 'own', departmentId: top.id }),
    };

    // TikMatrix has no inventory API, so its account is never called here.
    const created = await call('POST', '/vendor-accounts', adminToken, {
      vendor: 'tikmatrix',
      name: `scope-${run}`,
      baseUrl: 'http://127.0.0.1:9',
      credentials: {},
    });
    expect(created.status).toBe(201);
    const account = created.json as { id: string };
    const place = [
      { ref: 'top', departmentId: top.id },
      { ref: 'below', departmentId: below.id },
      { ref: 'other', departmentId: other.id },
      { ref: 'mine', departmentId: other.id, ownerId: viewers.own.id },
    ];
    const devices = new Map<string, string>();
    for (const { ref, ...where } of place) {
      const device = await prisma.device.create({
        data: { vendor: 'tikmatrix', accountId: account.id, vendorRef: `${ref}-${run}`, name: ref, ...where },
      });
      devices.set(ref, device.id);
      await prisma.task.create({
        data: {
          number: BigInt(Date.now()) * 10n + BigInt(devices.size),
          operationType: 'device.reboot',
          params: {},
          targetSpec: { deviceIds: [device.id] },
          targetTimeoutSeconds: 60,
          departmentId: where.departmentId,
          createdById: ref === 'mine' ? viewers.own.id : undefined,
          targets: {
            create: { deviceId: device.id, accountId: account.id, vendor: 'tikmatrix', vendorRef: `${ref}-${run}` },
          },
        },
      });
    }

    const seen = async (token: string, kind: 'devices' | 'tasks') => {
      const { status, json } = await call('GET', `/${kind}?accountId=${account.id}&pageSize=200`, token);
      if (kind === 'tasks') {
        const mine = new Set(devices.values());
        const refs: string[] = [];
        for (const task of (await call('GET', '/tasks?pageSize=200', token)).json.items) {
          const detail = (await call('GET', `/tasks/${task.id}`, token)).json;
          const deviceId = detail.targetRows?.[0]?.deviceId as string | undefined;
          if (deviceId && mine.has(deviceId)) refs.push([...devices].find(([, id]) => id === deviceId)![0]);
        }
        return refs.sort();
      }
      expect(status).toBe(200);
      return (json.items as Array<{ name: string }>).map((device) => device.name).sort();
    };

    expect(await seen(viewers.all.accessToken, 'devices')).toEqual(['below', 'mine', 'other', 'top']);
    expect(await seen(viewers.tree.accessToken, 'devices')).toEqual(['below', 'top']);
    expect(await seen(viewers.department.accessToken, 'devices')).toEqual(['top']);
    expect(await seen(viewers.own.accessToken, 'devices')).toEqual(['mine']);
    expect(await seen(viewers.tree.accessToken, 'tasks')).toEqual(['below', 'top']);
    expect(await seen(viewers.department.accessToken, 'tasks')).toEqual(['top']);
    expect(await seen(viewers.own.accessToken, 'tasks')).toEqual(['mine']);

    // Outside the scope a device is not found, as if it did not exist.
    expect((await call('GET', `/devices/${devices.get('other')}`, viewers.department.accessToken)).status).toBe(404);
    expect((await call('GET', `/devices/${devices.get('top')}`, viewers.department.accessToken)).status).toBe(200);

    // A role's scope change reaches holders at once (the access cache is refreshed).
    await call('PATCH', `/admin/roles/${viewers.department.roleId}`, adminToken, { dataScope: 'all' });
    expect(await seen(viewers.department.accessToken, 'devices')).toEqual(['below', 'mine', 'other', 'top']);
  });

  it('forces a user offline: access and refresh tokens stop working at once', async () => {
    const user = await userWith('offline', ['devices:read']);
    expect((await call('GET', '/auth/me', user.accessToken)).status).toBe(200);
    expect((await call('POST', `/admin/users/${user.id}/offline`, adminToken)).status).toBe(204);
    expect((await call('GET', '/auth/me', user.accessToken)).status).toBe(401);
    expect((await call('POST', '/auth/refresh', undefined, { refreshToken: user.refreshToken })).status).toBe(401);
    // Disabling ends sessions too, and refuses new sign-ins.
    const again = await login(user.email);
    expect((await call('POST', `/admin/users/${user.id}/disable`, adminToken)).json.enabled).toBe(false);
    expect((await call('GET', '/auth/me', again.accessToken)).status).toBe(401);
    expect((await call('POST', '/auth/login', undefined, { email: user.email, password: PASSWORD })).status).toBe(401);
  });

  it('exports chosen users as CSV and XLSX without password hashes', async () => {
    const a = await userWith('export-a', []);
    const b = await userWith('export-b', []);
    const csv = await call('POST', '/admin/users/export', adminToken, { ids: [a.id, b.id], format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('id,email,name,phone,enabled,department,grade,roles,created_at');
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[1])
        .sort(),
    ).toEqual([a.email, b.email].sort());
    expect(csv.text).not.toMatch(/argon2|password/i);

    const xlsx = await fetch(`${gateway.baseUrl}/admin/users/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [a.id], format: 'xlsx' }),
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const sheet = workbook.getWorksheet('users')!;
    expect(sheet.getRow(2).getCell(2).value).toBe(a.email);
    expect(JSON.stringify(sheet.getSheetValues())).not.toMatch(/argon2/);
  });

  it('keeps the organisation consistent and refuses escalation', async () => {
    const parent = (await call('POST', '/admin/departments', adminToken, { name: `hq-${run}` })).json;
    const child = (
      await call('POST', '/admin/departments', adminToken, { name: `hq-child-${run}`, parentId: parent.id })
    ).json;
    const refusedParent = await call('DELETE', `/admin/departments/${parent.id}`, adminToken);
    expect(refusedParent.status).toBe(409);
    expect(refusedParent.json.error.details).toEqual([{ field: 'children', problem: '1 department(s) sit below it' }]);
    expect((await call('PATCH', `/admin/departments/${parent.id}`, adminToken, { parentId: child.id })).status).toBe(
      422,
    );
    const tree = (await call('GET', '/admin/departments', adminToken)).json as Array<{
      id: string;
      children: Array<{ id: string }>;
    }>;
    expect(tree.find((node) => node.id === parent.id)?.children.map((node) => node.id)).toEqual([child.id]);

    const post = (await call('POST', '/admin/posts', adminToken, { code: `oncall-${run}`, name: 'On call' })).json;
    const grade = (await call('POST', '/admin/grades', adminToken, { name: `senior-${run}`, level: 3 })).json;
    const member = await call('POST', '/admin/users', adminToken, {
      email: `member.${run}@example.com`,
      name: 'Member',
      password: PASSWORD,
      departmentId: child.id,
      postIds: [post.id],
      gradeId: grade.id,
    });
    expect(member.json).toMatchObject({
      departmentName: `hq-child-${run}`,
      gradeName: `senior-${run}`,
      postIds: [post.id],
    });
    expect((await call('DELETE', `/admin/departments/${child.id}`, adminToken)).json.error.details).toEqual([
      { field: 'members', problem: '1 user(s) belong to it' },
    ]);
    expect((await call('DELETE', `/admin/posts/${post.id}`, adminToken)).status).toBe(409);
    expect((await call('DELETE', `/admin/grades/${grade.id}`, adminToken)).status).toBe(409);

    // The password policy names the field and the problem.
    const weak = await call('POST', '/admin/users', adminToken, {
      email: `weak.${run}@example.com`,
      name: 'Weak',
      password: 'abcdefghij',
    });
    expect(weak.status).toBe(400);
    expect(weak.json.error.details).toContainEqual({ field: 'password', problem: 'must hold both letters and digits' });

    // A role manager cannot grant, nor hand out, what they do not hold.
    const manager = await userWith('role-manager', ['roles:manage', 'roles:read', 'users:manage']);
    const role = (await call('POST', '/admin/roles', manager.accessToken, { code: `esc-${run}`, name: 'Escalation' }))
      .json;
    const grant = await call('PUT', `/admin/roles/${role.id}/grants`, manager.accessToken, {
      menuIds: [],
      permissions: ['vendor-accounts:manage'],
    });
    expect(grant.status).toBe(403);
    const strong = await userWith('strong', ['vendor-accounts:manage']);
    const handOut = await call('PATCH', `/admin/users/${manager.id}`, manager.accessToken, {
      roleIds: [strong.roleId],
    });
    expect(handOut.status).toBe(403);

    // Menus: a tree; a role's holders see the menus granted to it, with the entries above them.
    const fleet = (await call('POST', '/admin/menus', adminToken, { name: `Fleet ${run}`, kind: 'directory' })).json;
    const devicesPage = (
      await call('POST', '/admin/menus', adminToken, { name: 'Devices', parentId: fleet.id, path: '/devices' })
    ).json;
    await call('POST', '/admin/menus', adminToken, { name: `Hidden ${run}` });
    expect((await call('DELETE', `/admin/menus/${fleet.id}`, adminToken)).status).toBe(409);
    await call('PUT', `/admin/roles/${strong.roleId}/grants`, adminToken, {
      menuIds: [devicesPage.id],
      permissions: ['vendor-accounts:manage'],
    });
    const mine = (await call('GET', '/admin/menus/mine', strong.accessToken)).json as Array<{
      id: string;
      children: Array<{ id: string }>;
    }>;
    expect(mine.map((node) => node.id)).toEqual([fleet.id]);
    expect(mine[0].children.map((node) => node.id)).toEqual([devicesPage.id]);
    const grants = (await call('GET', `/admin/roles/${strong.roleId}/grants`, adminToken)).json;
    expect(grants.menuIds).toEqual([devicesPage.id]);
    expect(grants.grantedPermissions).toEqual(['vendor-accounts:manage']);
    expect(
      grants.permissions.find((node: { permission: string }) => node.permission === 'vendor-accounts:manage').routes
        .length,
    ).toBeGreaterThan(2);

    // A role still held is not deleted.
    const held = await call('DELETE', `/admin/roles/${strong.roleId}`, adminToken);
    expect(held.status).toBe(409);
    expect(held.json.error.details[0].field).toBe('users');
    expect((await call('POST', '/admin/roles/refresh', adminToken)).status).toBe(204);
  });
});
