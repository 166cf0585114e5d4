import { randomUUID } from 'node:crypto';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { callApi } from './support/call-api';

/**
 * No privilege escalation through the back office: an admin acts only on users, roles and departments
 * within their own permissions and data scope, and nobody widens themselves. Every actor here holds a
 * narrow role in department A (below the run's root department), next to an outside department X.
 */
const PASSWORD = 'escalate-pass-2026';
const run = randomUUID().slice(0, 8);

describe('admin back office refuses escalation (e2e)', () => {
  let gateway: RunningGateway;
  let adminToken: string;
  const departments = {} as Record<'root' | 'a' | 'b' | 'x', string>;

  const call = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    callApi(gateway.baseUrl, method, path, token, body, headers);

  async function login(email: string, password = PASSWORD) {
    const { status, json } = await call('POST', '/auth/login', undefined, { email, password });
    expect(status).toBe(200);
    return json as { accessToken: string; refreshToken: string };
  }

  async function role(label: string, permissions: string[], dataScope: string): Promise<string> {
    const created = await call('POST', '/admin/roles', adminToken, { code: `${label}-${run}`, name: label, dataScope });
    expect(created.status).toBe(201);
    expect(
      (await call('PUT', `/admin/roles/${created.json.id}/grants`, adminToken, { menuIds: [], permissions })).status,
    ).toBe(200);
    return created.json.id as string;
  }

  /** A user created by the super admin, holding one role, in a department; signed in. */
  async function user(label: string, roleId: string, departmentId: string | null) {
    const email = `${label}.${run}@example.com`;
    const created = await call('POST', '/admin/users', adminToken, {
      email,
      name: label,
      password: PASSWORD,
      roleIds: [roleId],
      departmentId,
    });
    expect(created.status).toBe(201);
    return { id: created.json.id as string, email, roleId, ...(await login(email)) };
  }

  beforeAll(async () => {
    gateway = await startGateway();
    adminToken = (await login(ADMIN.email, ADMIN.password)).accessToken;
    const department = async (name: string, parentId?: string) => {
      const created = await call('POST', '/admin/departments', adminToken, { name: `${name}-${run}`, parentId });
      expect(created.status).toBe(201);
      return created.json.id as string;
    };
    departments.root = await department('esc-root');
    departments.a = await department('esc-a', departments.root);
    departments.b = await department('esc-b', departments.a);
    departments.x = await department('esc-x', departments.root);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  describe('users:manage', () => {
    let manager: Awaited<ReturnType<typeof user>>;
    let narrowRole: string;

    beforeAll(async () => {
      const managerRole = await role('users-mgr', ['users:manage', 'users:read'], 'department_tree');
      manager = await user('usersmgr', managerRole, departments.a);
      narrowRole = await role('narrow', ['users:read'], 'department');
    });

    it('refuses to reset the password or e-mail of a user holding a permission the manager lacks', async () => {
      const strong = await user('strong', await role('strong', ['vendor-accounts:manage'], 'department'), departments.a);
      const reset = await call('PATCH', `/admin/users/${strong.id}`, manager.accessToken, {
        password: 'taken-over-2026',
      });
      expect(reset.status).toBe(403);
      expect(reset.json.error.code).toBe('forbidden');
      const email = await call('PATCH', `/admin/users/${strong.id}`, manager.accessToken, {
        email: `hijacked.${run}@example.com`,
      });
      expect(email.status).toBe(403);
      // Nothing changed: the victim still signs in with their own password.
      await login(strong.email);
    });

    it('refuses to reset the password of a user whose data scope is wider than the manager', async () => {
      const wide = await user('widescope', await role('wide-scope', ['users:read'], 'all'), departments.a);
      expect(
        (await call('PATCH', `/admin/users/${wide.id}`, manager.accessToken, { password: 'taken-over-2026' })).status,
      ).toBe(403);
      expect((await call('POST', `/admin/users/${wide.id}/offline`, manager.accessToken)).status).toBe(403);
      expect((await call('POST', `/admin/users/${wide.id}/disable`, manager.accessToken)).status).toBe(403);
    });

    it('refuses to act on a user outside its department tree, and acts on one inside', async () => {
      const outside = await user('outside', narrowRole, departments.x);
      expect(
        (await call('PATCH', `/admin/users/${outside.id}`, manager.accessToken, { password: 'taken-over-2026' }))
          .status,
      ).toBe(403);
      const inside = await user('inside', narrowRole, departments.b);
      const changed = await call('PATCH', `/admin/users/${inside.id}`, manager.accessToken, {
        password: 'reset-by-manager-2026',
      });
      expect(changed.status).toBe(200);
      await login(inside.email, 'reset-by-manager-2026');
    });

    it('refuses to give itself or others a role wider than its own permissions or scope', async () => {
      const allScope = await role('all-scope', ['users:read'], 'all');
      const self = await call('PATCH', `/admin/users/${manager.id}`, manager.accessToken, {
        roleIds: [manager.roleId, allScope],
      });
      expect(self.status).toBe(403);
      expect(self.json.error.details).toContainEqual(expect.objectContaining({ field: 'roleIds' }));

      const member = await user('member', narrowRole, departments.b);
      expect(
        (await call('PATCH', `/admin/users/${member.id}`, manager.accessToken, { roleIds: [allScope] })).status,
      ).toBe(403);
      // The same scope kind as the manager, within its department tree, is fine.
      const treeRole = await role('tree', ['users:read'], 'department_tree');
      expect(
        (await call('PATCH', `/admin/users/${member.id}`, manager.accessToken, { roleIds: [treeRole] })).status,
      ).toBe(200);
      // A new user cannot be created wider than the manager either.
      const created = await call('POST', '/admin/users', manager.accessToken, {
        email: `made-wide.${run}@example.com`,
        name: 'Made wide',
        password: PASSWORD,
        roleIds: [allScope],
        departmentId: departments.b,
      });
      expect(created.status).toBe(403);
      const me = await call('GET', '/auth/me', manager.accessToken);
      expect(me.json.permissions.sort()).toEqual(['users:manage', 'users:read']);
    });

    it('refuses to move itself or a user to a department outside its scope', async () => {
      const toRoot = await call('PATCH', `/admin/users/${manager.id}`, manager.accessToken, {
        departmentId: departments.root,
      });
      expect(toRoot.status).toBe(403);
      expect(toRoot.json.error.details).toContainEqual(expect.objectContaining({ field: 'departmentId' }));
      const member = await user('mover', narrowRole, departments.b);
      expect(
        (await call('PATCH', `/admin/users/${member.id}`, manager.accessToken, { departmentId: departments.x })).status,
      ).toBe(403);
      expect(
        (await call('PATCH', `/admin/users/${member.id}`, manager.accessToken, { departmentId: departments.a })).status,
      ).toBe(200);
      const outside = await call('POST', '/admin/users', manager.accessToken, {
        email: `placed-outside.${run}@example.com`,
        name: 'Placed outside',
        password: PASSWORD,
        roleIds: [narrowRole],
        departmentId: departments.x,
      });
      expect(outside.status).toBe(403);
      const user1 = (await call('GET', `/admin/users/${manager.id}`, adminToken)).json;
      expect(user1.departmentId).toBe(departments.a);
    });
  });

  describe('roles:manage', () => {
    let manager: Awaited<ReturnType<typeof user>>;

    beforeAll(async () => {
      manager = await user('rolesmgr', await role('roles-mgr', ['roles:manage', 'roles:read'], 'department'), departments.a);
    });

    it('refuses to widen its own role scope', async () => {
      for (const dataScope of ['all', 'department_tree']) {
        const widened = await call('PATCH', `/admin/roles/${manager.roleId}`, manager.accessToken, { dataScope });
        expect(widened.status).toBe(403);
        expect(widened.json.error.details).toContainEqual(expect.objectContaining({ field: 'dataScope' }));
      }
      expect((await call('GET', `/admin/roles/${manager.roleId}`, adminToken)).json.dataScope).toBe('department');
    });

    it('refuses to change a role wider than its own, or make one wider, and changes one within', async () => {
      const wide = await role('roles-wide', [], 'all');
      expect((await call('PATCH', `/admin/roles/${wide}`, manager.accessToken, { name: 'renamed' })).status).toBe(403);
      expect(
        (await call('PUT', `/admin/roles/${wide}/grants`, manager.accessToken, { menuIds: [], permissions: [] }))
          .status,
      ).toBe(403);
      expect((await call('DELETE', `/admin/roles/${wide}`, manager.accessToken)).status).toBe(403);
      const created = await call('POST', '/admin/roles', manager.accessToken, {
        code: `made-all-${run}`,
        name: 'Made all',
        dataScope: 'all',
      });
      expect(created.status).toBe(403);

      const own = await role('roles-own', ['roles:read'], 'own');
      expect(
        (await call('PATCH', `/admin/roles/${own}`, manager.accessToken, { dataScope: 'department_tree' })).status,
      ).toBe(403);
      expect((await call('PATCH', `/admin/roles/${own}`, manager.accessToken, { dataScope: 'department' })).status).toBe(
        200,
      );
    });

    it('refuses to change or delete a role held by a user outside its scope, naming the field, and changes one held within', async () => {
      const shared = await role('roles-shared', ['roles:read'], 'own');
      await user('outside-holder', shared, departments.x);
      // Granting would reach the outsider; taking away would act on them too.
      for (const permissions of [['roles:read', 'roles:manage'], []]) {
        const granted = await call('PUT', `/admin/roles/${shared}/grants`, manager.accessToken, {
          menuIds: [],
          permissions,
        });
        expect(granted.status).toBe(403);
        expect(granted.json.error.details).toContainEqual(expect.objectContaining({ field: 'users' }));
      }
      const renamed = await call('PATCH', `/admin/roles/${shared}`, manager.accessToken, { name: 'renamed' });
      expect(renamed.status).toBe(403);
      expect(renamed.json.error.details).toContainEqual(expect.objectContaining({ field: 'users' }));
      expect((await call('PATCH', `/admin/roles/${shared}`, manager.accessToken, { enabled: false })).status).toBe(403);
      expect((await call('DELETE', `/admin/roles/${shared}`, manager.accessToken)).status).toBe(403);
      const unchanged = (await call('GET', `/admin/roles/${shared}`, adminToken)).json;
      expect(unchanged).toMatchObject({ name: 'roles-shared', enabled: true, permissions: ['roles:read'] });

      // A role held only within its department (and by nobody else) is the manager's to change.
      const within = await role('roles-within', ['roles:read'], 'own');
      await user('inside-holder', within, departments.a);
      expect(
        (await call('PUT', `/admin/roles/${within}/grants`, manager.accessToken, {
          menuIds: [],
          permissions: ['roles:read', 'roles:manage'],
        })).status,
      ).toBe(200);
      expect((await call('PATCH', `/admin/roles/${within}`, manager.accessToken, { name: 'renamed' })).status).toBe(200);
    });
  });

  describe('departments:manage', () => {
    let manager: Awaited<ReturnType<typeof user>>;

    beforeAll(async () => {
      manager = await user(
        'deptmgr',
        await role('depts-mgr', ['departments:manage', 'departments:read'], 'department_tree'),
        departments.a,
      );
    });

    it('refuses to re-parent a department from outside its subtree under its own', async () => {
      const moved = await call('PATCH', `/admin/departments/${departments.x}`, manager.accessToken, {
        parentId: departments.a,
      });
      expect(moved.status).toBe(403);
      const tree = (await call('GET', `/admin/departments`, adminToken)).json as Array<{
        id: string;
        children: Array<{ id: string }>;
      }>;
      const root = tree.find((node) => node.id === departments.root)!;
      expect(root.children.map((node) => node.id).sort()).toEqual([departments.a, departments.x].sort());
    });

    it('refuses to move its own department out of its subtree, or create or change one outside it', async () => {
      expect(
        (await call('PATCH', `/admin/departments/${departments.a}`, manager.accessToken, { parentId: null })).status,
      ).toBe(403);
      expect(
        (await call('PATCH', `/admin/departments/${departments.b}`, manager.accessToken, { parentId: departments.x }))
          .status,
      ).toBe(403);
      expect(
        (await call('PATCH', `/admin/departments/${departments.x}`, manager.accessToken, { name: `x2-${run}` })).status,
      ).toBe(403);
      expect((await call('POST', '/admin/departments', manager.accessToken, { name: `top-${run}` })).status).toBe(403);
      expect(
        (await call('POST', '/admin/departments', manager.accessToken, { name: `side-${run}`, parentId: departments.root }))
          .status,
      ).toBe(403);
      expect((await call('DELETE', `/admin/departments/${departments.x}`, manager.accessToken)).status).toBe(403);
    });

    it('manages departments within its subtree', async () => {
      const inside = await call('POST', '/admin/departments', manager.accessToken, {
        name: `inside-${run}`,
        parentId: departments.a,
      });
      expect(inside.status).toBe(201);
      expect(
        (await call('PATCH', `/admin/departments/${inside.json.id}`, manager.accessToken, { parentId: departments.b }))
          .status,
      ).toBe(200);
      expect((await call('DELETE', `/admin/departments/${inside.json.id}`, manager.accessToken)).status).toBe(204);
    });
  });
});
