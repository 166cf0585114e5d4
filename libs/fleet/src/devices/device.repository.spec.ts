import type { PrismaService } from '@fleetgate/persistence';
import { type AccessScope, callerScope, systemScope } from '../scope/access-scope';
import { DeviceGroupRepository } from './device-group.repository';
import { DeviceRepository } from './device.repository';

/**
 * Never called: it only has to compile. Each line is a statement on devices or groups without its
 * scope, and each must be a type error (ts-jest type-checks this file, and `npm run lint` runs tsc).
 */
export function deviceStatementsWithoutScope(devices: DeviceRepository, groups: DeviceGroupRepository): void {
  // @ts-expect-error a device list needs a scope
  void devices.list({}, { skip: 0, take: 10 });
  // @ts-expect-error a device read needs a scope
  void devices.find('id');
  // @ts-expect-error a device change needs a scope
  void devices.update('id', { name: 'renamed' });
  // @ts-expect-error removing a device needs a scope
  void devices.delete('id');
  // @ts-expect-error moving devices between groups needs a scope
  void devices.moveToGroup(['id'], 'group');
  // @ts-expect-error a status report needs a scope
  void devices.recordStatus('id', 'online', new Date());
  // @ts-expect-error an inventory upsert needs a scope
  void devices.upsertInventory('account', 'armcloud', []);
  // @ts-expect-error only the system writes a vendor's inventory
  void devices.upsertInventory(caller, 'account', 'armcloud', []);
  // @ts-expect-error choosing devices needs a scope
  void devices.countsByAccount({});
  // @ts-expect-error reading devices page by page needs a scope
  void devices.pages({}, 10);
  // @ts-expect-error a device's account and reference are read within a scope
  void devices.accountRefsOf(['id']);
  // @ts-expect-error a group's device count needs a scope
  void groups.list();
}

const caller: AccessScope = callerScope({
  userId: 'u1',
  departmentId: 'd1',
  scope: { kind: 'departments', departmentIds: ['d1'], userId: 'u1' },
});
const callerReach = { OR: [{ departmentId: { in: ['d1'] } }, { ownerId: 'u1' }] };
const system = systemScope('a unit test of device statements');

/** A client that records each statement's arguments and answers nothing in particular. */
function recordingClient() {
  const calls: Array<{ method: string; args: { where?: unknown; data?: unknown } }> = [];
  const answer = (method: string) => async (args: { where?: unknown; data?: unknown }) => {
    calls.push({ method, args });
    if (method === 'updateMany') return { count: 1 };
    if (method === 'findMany') return [];
    if (method === 'count') return 0;
    return { id: 'id', status: 'online' };
  };
  const device = Object.fromEntries(
    ['findFirst', 'findUnique', 'findMany', 'count', 'create', 'update', 'updateMany', 'delete'].map((method) => [
      method,
      answer(method),
    ]),
  );
  // The statements written in SQL (find, list): their text and values.
  const sql = async (text: string, values: unknown[]) => {
    calls.push({ method: 'sql', args: { where: text, data: values } });
    return text.includes('count(*)') ? [{ total: 0 }] : [];
  };
  return { prisma: { device, sql } as unknown as PrismaService, calls };
}

describe('DeviceRepository', () => {
  it("narrows each statement of a caller to the caller's devices", async () => {
    const { prisma, calls } = recordingClient();
    const devices = new DeviceRepository(prisma);
    await devices.update(caller, 'id', { name: 'renamed' });
    await devices.delete(caller, 'id');
    await devices.countInGroup(caller, 'group');
    await devices.takeOutOfGroup(caller, ['id'], 'group');
    await devices.recordStatus(caller, 'id', 'online', new Date(0));
    expect(calls.map(({ method, args }) => [method, args.where])).toEqual([
      ['update', { id: 'id', AND: callerReach }],
      ['delete', { id: 'id', AND: callerReach }],
      ['count', { AND: [{ groupId: 'group' }, callerReach] }],
      ['updateMany', { AND: [{ id: { in: ['id'] }, groupId: 'group' }, callerReach] }],
      [
        'updateMany',
        { AND: [{ id: 'id', OR: [{ statusAt: null }, { statusAt: { lte: new Date(0) } }] }, callerReach] },
      ],
    ]);
  });

  it("narrows the device read and list, written in SQL, to the caller's devices (device-reads.spec.ts runs them)", async () => {
    const { prisma, calls } = recordingClient();
    const devices = new DeviceRepository(prisma);
    await devices.find(caller, 'id');
    await devices.list(caller, {} as never, { skip: 0, take: 10 });
    const callerSql = '(department_id = ANY($2::uuid[]) OR owner_id = $3::uuid)';
    expect(calls[0].args.where).toContain(`WHERE (id = $1::uuid) AND ${callerSql}`);
    expect(calls[0].args.data).toEqual(['id', ['d1'], 'u1']);
    expect(calls[1].args.where).toContain('WHERE (department_id = ANY($1::uuid[]) OR owner_id = $2::uuid) ORDER BY');
    expect(calls[1].args.data).toEqual([['d1'], 'u1', 0, 10]);
    expect(calls[2].args.where).toContain('WHERE (department_id = ANY($1::uuid[]) OR owner_id = $2::uuid)');
    expect(calls[2].args.data).toEqual([['d1'], 'u1']);
  });

  it('leaves a statement of the system as it is written, reaching every device', async () => {
    const { prisma, calls } = recordingClient();
    const devices = new DeviceRepository(prisma);
    await devices.countInGroup(system, 'group');
    await devices.statusesOf(system, 'account', ['ref']);
    await devices.recordStatus(system, 'id', 'offline', new Date(0));
    expect(calls.map(({ args }) => args.where)).toEqual([
      { groupId: 'group' },
      { accountId: 'account', vendorRef: { in: ['ref'] } },
      { id: 'id', OR: [{ statusAt: null }, { statusAt: { lte: new Date(0) } }] },
    ]);
  });

  it("registers a device to the caller's department, and to the caller when it sees only its own", async () => {
    const { prisma, calls } = recordingClient();
    const devices = new DeviceRepository(prisma);
    const registration = { vendor: 'tikmatrix', accountId: 'a1', vendorRef: 'r1', name: 'r1', tags: [] };
    await devices.create(caller, registration);
    await devices.create(
      callerScope({ userId: 'u2', departmentId: 'd2', scope: { kind: 'own', userId: 'u2' } }),
      registration,
    );
    await devices.create(system, registration);
    expect(calls.map(({ args }) => args.data)).toEqual([
      { ...registration, departmentId: 'd1', ownerId: null },
      { ...registration, departmentId: 'd2', ownerId: 'u2' },
      { ...registration, departmentId: null, ownerId: null },
    ]);
  });
});
