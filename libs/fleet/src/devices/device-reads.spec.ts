import { randomUUID } from 'node:crypto';
import type { Device, PrismaService } from '@fleetgate/persistence';
import { migratedPrisma } from '../../../../test/support/test-prisma';
import { type AccessScope, callerScope, systemScope } from '../scope/access-scope';
import { devicesInScope } from '../scope/data-scope-where';
import { deviceWhere } from './device-filter';
import type { DeviceFilterDto } from './device.dto';
import { DeviceRepository } from './device.repository';

// Against the real PostgreSQL: what is under test is the statement PostgreSQL runs.

/**
 * The device read and list, written in SQL for the request path (DeviceRepository.find and list), against
 * real PostgreSQL: each kind of data scope applied in the statement, each filter, and the rows the same
 * `Device` a Prisma read answers, on the pool and inside a transaction. Prisma's own where clauses
 * (devicesInScope, deviceWhere), which every other device statement still uses, are the reference.
 */
describe('device reads in SQL (PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const departments = { mine: randomUUID(), other: randomUUID() };
  const me = randomUUID();
  let prisma: PrismaService;
  let devices: DeviceRepository;
  let accountId: string;
  const ids: Record<
    'mineTagged' | 'other' | 'ownedNoDepartment' | 'ownedOtherDepartment' | 'nobodys' | 'wildcard',
    string
  > = {} as never;

  const scopes: Record<string, AccessScope> = {
    system: systemScope('a test of device reads'),
    all: callerScope({ userId: me, departmentId: departments.mine, scope: { kind: 'all' } }),
    departments: callerScope({
      userId: me,
      departmentId: departments.mine,
      scope: { kind: 'departments', departmentIds: [departments.mine], userId: me },
    }),
    noDepartments: callerScope({
      userId: me,
      departmentId: undefined,
      scope: { kind: 'departments', departmentIds: [], userId: me },
    }),
    own: callerScope({ userId: me, departmentId: departments.mine, scope: { kind: 'own', userId: me } }),
  };

  /** What each scope reaches of this suite's devices. */
  const expected: Record<string, Array<keyof typeof ids>> = {
    system: ['mineTagged', 'other', 'ownedNoDepartment', 'ownedOtherDepartment', 'nobodys', 'wildcard'],
    all: ['mineTagged', 'other', 'ownedNoDepartment', 'ownedOtherDepartment', 'nobodys', 'wildcard'],
    departments: ['mineTagged', 'ownedNoDepartment', 'ownedOtherDepartment', 'wildcard'],
    noDepartments: ['ownedNoDepartment', 'ownedOtherDepartment'],
    own: ['ownedNoDepartment', 'ownedOtherDepartment'],
  };

  beforeAll(async () => {
    prisma = await migratedPrisma('devices');
    devices = new DeviceRepository(prisma);
    const account = await prisma.vendorAccount.create({
      data: {
        vendor: 'tikmatrix',
        name: `device-reads-${run}`,
        baseUrl: 'http://127.0.0.1:9',
        credentialsSealed: 'unused',
        webhookSecretSealed: 'unused',
        enabled: false,
      },
    });
    accountId = account.id;
    const make = async (vendorRef: string, data: Partial<Device>) =>
      (
        await prisma.device.create({
          data: {
            vendor: 'tikmatrix',
            accountId,
            vendorRef: `${run}-${vendorRef}`,
            name: vendorRef,
            status: 'online',
            attributes: { battery: 80, nested: { ok: true } },
            tags: [],
            lastSeenAt: new Date('2026-12-01T10:11:12.345Z'),
            ...data,
          } as never,
        })
      ).id;
    ids.mineTagged = await make('mine-tagged', {
      departmentId: departments.mine,
      tags: ['blue', 'shelf-1'],
      model: 'X1',
    });
    ids.other = await make('other', { departmentId: departments.other, tags: ['blue'], status: 'offline' });
    ids.ownedNoDepartment = await make('owned', { ownerId: me });
    ids.ownedOtherDepartment = await make('owned-elsewhere', { departmentId: departments.other, ownerId: me });
    ids.nobodys = await make('nobodys', {});
    ids.wildcard = await make('50%_off', { departmentId: departments.mine, status: 'offline' });
  });

  afterAll(async () => {
    if (accountId) await prisma.vendorAccount.delete({ where: { id: accountId } });
    await prisma?.$disconnect();
  });

  /** A filter as the query DTO carries it (its page getters play no part here). */
  const f = (filter: Omit<DeviceFilterDto, 'skip'>) => filter as DeviceFilterDto;

  const byPrisma = (scope: AccessScope, filter: DeviceFilterDto) =>
    prisma.device.findMany({
      where: { AND: [{ accountId }, deviceWhere(filter), devicesInScope(scope)] },
      orderBy: [{ vendor: 'asc' }, { vendorRef: 'asc' }],
    });

  it.each(Object.keys(scopes))(
    'find applies a %s scope in the statement and answers the row Prisma reads',
    async (kind) => {
      for (const name of Object.keys(ids) as Array<keyof typeof ids>) {
        const found = await devices.find(scopes[kind], ids[name]);
        if (expected[kind].includes(name)) {
          expect(found).toEqual(await prisma.device.findUnique({ where: { id: ids[name] } }));
        } else {
          expect(found).toBeNull();
        }
      }
    },
  );

  it.each(Object.keys(scopes))('list applies a %s scope in the statement, as Prisma would', async (kind) => {
    const page = await devices.list(scopes[kind], f({ accountId }), { skip: 0, take: 50 });
    const reference = await byPrisma(scopes[kind], f({}));
    expect(page.rows.map((row) => row.id).sort()).toEqual(expected[kind].map((name) => ids[name]).sort());
    expect(page.rows).toEqual(reference);
    expect(page.total).toBe(reference.length);
  });

  it('find and list answer each scope its own devices however often their prepared statements ran, scopes taking turns', async () => {
    // Prepared statements are shared by every caller of a scope's kind; past five runs PostgreSQL may
    // answer them from one generic plan. Each turn must still apply its own caller's values.
    for (let round = 0; round < 8; round++) {
      for (const kind of ['departments', 'own', 'noDepartments'] as const) {
        const reached = Object.keys(ids).filter((name) => expected[kind].includes(name as keyof typeof ids));
        const page = await devices.list(scopes[kind], f({ accountId }), { skip: 0, take: 50 });
        expect(page.rows.map((row) => row.id).sort()).toEqual(
          reached.map((name) => ids[name as keyof typeof ids]).sort(),
        );
        expect(page.total).toBe(reached.length);
        expect(await devices.find(scopes[kind], ids.other)).toBeNull();
        expect((await devices.find(scopes[kind], ids.ownedOtherDepartment))?.id).toBe(ids.ownedOtherDepartment);
      }
      // Another user of the same kind of scope: the same statement texts, none of my devices.
      const stranger = randomUUID();
      const theirs = callerScope({
        userId: stranger,
        departmentId: departments.other,
        scope: { kind: 'own', userId: stranger },
      });
      expect(await devices.list(theirs, f({ accountId }), { skip: 0, take: 50 })).toEqual({ rows: [], total: 0 });
      expect(await devices.find(theirs, ids.ownedOtherDepartment)).toBeNull();
    }
  });

  it('list filters by vendor, status, tag, group and text (its % and _ taken literally), and pages', async () => {
    const filters: Array<Omit<DeviceFilterDto, 'skip'>> = [
      { vendor: 'tikmatrix' },
      { vendor: 'armcloud' },
      { status: 'offline' },
      { tag: 'blue' },
      { tag: 'shelf-1', status: 'online' },
      { groupId: randomUUID() },
      { text: 'OWNED' },
      { text: `${run}-mine` },
    ];
    for (const scope of [scopes.system, scopes.departments]) {
      for (const filter of filters) {
        const page = await devices.list(scope, f({ accountId, ...filter }), { skip: 0, take: 50 });
        const reference = await byPrisma(scope, f(filter));
        expect({ filter, rows: page.rows }).toEqual({ filter, rows: reference });
        expect(page.total).toBe(reference.length);
      }
    }
    const literal = await devices.list(scopes.system, f({ accountId, text: '50%_' }), { skip: 0, take: 50 });
    expect(literal.rows.map((row) => row.id)).toEqual([ids.wildcard]);
    // As wildcards, '0_%' would match '50%_off' (a 0, any character, anything); taken literally it matches none.
    expect((await devices.list(scopes.system, f({ accountId, text: '0_%' }), { skip: 0, take: 50 })).total).toBe(0);
    const second = await devices.list(scopes.system, f({ accountId }), { skip: 2, take: 2 });
    expect(second.rows).toEqual((await byPrisma(scopes.system, f({}))).slice(2, 4));
    expect(second.total).toBe(6);
  });

  it('list and task targeting (deviceWhere, in Prisma) select the same devices for a text holding %, _ or \\', async () => {
    // A task is created from the filter its list showed: the devices it is sent to must be those listed.
    for (const text of ['%', '_', '0_%', '50%_', '50%_off', '\\', 'e\\_', 'OFF']) {
      const listed = await devices.list(scopes.system, f({ accountId, text }), { skip: 0, take: 50 });
      const targeted = await byPrisma(scopes.system, f({ text }));
      expect({ text, ids: listed.rows.map((row) => row.id) }).toEqual({ text, ids: targeted.map((row) => row.id) });
    }
  });

  it('reads inside a caller’s transaction the same way, and sees its uncommitted rows', async () => {
    await prisma.$transaction(async (tx) => {
      await tx.device.update({ where: { id: ids.other }, data: { departmentId: departments.mine } });
      expect((await devices.find(scopes.departments, ids.other, tx))?.departmentId).toBe(departments.mine);
      const page = await devices.list(scopes.departments, f({ accountId }), { skip: 0, take: 50 }, tx);
      expect(page.rows.map((row) => row.id)).toContain(ids.other);
      expect(await devices.find(scopes.own, ids.other, tx)).toBeNull();
      await tx.device.update({ where: { id: ids.other }, data: { departmentId: departments.other } });
    });
  });

  it('reads through Prisma once Prisma has ended the pool, and reconnects', async () => {
    await prisma.$disconnect();
    expect(await devices.find(scopes.departments, ids.other)).toBeNull();
    expect(await devices.find(scopes.departments, ids.mineTagged)).toEqual(
      await prisma.device.findUnique({ where: { id: ids.mineTagged } }),
    );
  });
});
