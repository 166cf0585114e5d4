import { Injectable } from '@nestjs/common';
import type { VendorDevice } from '@fleetgate/domain';
import { type Db, type Device, type Prisma, PrismaService } from '@fleetgate/persistence';
import type { AccessScope, SystemScope } from '../scope/access-scope';
import { devicesInScope, devicesInScopeSql, SqlWhere } from '../scope/data-scope-where';
import { deviceFilterSql } from './device-filter';
import type { DeviceFilterDto } from './device.dto';

export interface DevicePage {
  rows: Device[];
  total: number;
}

/** A device a caller registers by hand (vendors without an inventory API). */
export interface DeviceRegistration {
  vendor: string;
  accountId: string;
  vendorRef: string;
  name: string;
  tags: string[];
}

/** What a caller may change of a device: its name, tags, group and whom it belongs to. */
export interface DeviceChanges {
  name?: string;
  tags?: string[];
  groupId?: string | null;
  departmentId?: string | null;
  ownerId?: string | null;
}

/** A device as a task's target rows are made of it. */
export interface TargetDevice {
  id: string;
  vendor: string;
  accountId: string;
  vendorRef: string;
}

/** A device as its status reports and sync see it. */
export interface DeviceStatus {
  id: string;
  vendorRef: string;
  status: string;
}

/**
 * Every column of a device, named as Prisma names them, so that a row read in SQL is the `Device` a
 * Prisma read answers (device-reads.spec.ts compares the two).
 */
const DEVICE_COLUMNS = [
  'id',
  'vendor',
  'account_id AS "accountId"',
  'vendor_ref AS "vendorRef"',
  'name',
  'status',
  'model',
  'attributes',
  'tags',
  'group_id AS "groupId"',
  'department_id AS "departmentId"',
  'owner_id AS "ownerId"',
  'last_seen_at AS "lastSeenAt"',
  'synced_at AS "syncedAt"',
  'status_at AS "statusAt"',
  'created_at AS "createdAt"',
  'updated_at AS "updatedAt"',
].join(', ');

/**
 * The `devices` table. Every read and write takes the scope it acts within and applies it in the
 * statement, so that a device outside it is neither seen nor changed.
 */
@Injectable()
export class DeviceRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * A page of the devices the scope reaches, in (vendor, reference) order, and how many there are. In
   * SQL through the pg driver (see DEVICE_COLUMNS): this is the list every console page loads.
   */
  async list(
    scope: AccessScope,
    filter: DeviceFilterDto,
    page: { skip: number; take: number },
    db: Db = this.prisma,
  ): Promise<DevicePage> {
    const where = new SqlWhere();
    deviceFilterSql(filter, where);
    devicesInScopeSql(scope, where);
    const condition = where.text();
    const filterValues = [...where.values];
    const [rows, counted] = await Promise.all([
      this.prisma.sql<Device>(
        `SELECT ${DEVICE_COLUMNS} FROM devices WHERE ${condition} ORDER BY vendor, vendor_ref ` +
          `OFFSET ${where.add(page.skip)} LIMIT ${where.add(page.take)}`,
        where.values,
        db,
      ),
      this.prisma.sql<{ total: number }>(
        `SELECT count(*)::int AS total FROM devices WHERE ${condition}`,
        filterValues,
        db,
      ),
    ]);
    return { rows, total: counted[0].total };
  }

  /** The device, if the scope reaches it; in SQL through the pg driver, as it is read on every GET /devices/{id}. */
  async find(scope: AccessScope, id: string, db: Db = this.prisma): Promise<Device | null> {
    const where = new SqlWhere();
    where.and(`id = ${where.add(id)}::uuid`);
    devicesInScopeSql(scope, where);
    const rows = await this.prisma.sql<Device>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE ${where.text()}`,
      where.values,
      db,
    );
    return rows[0] ?? null;
  }

  /** A registered device belongs to the registering caller's department, so that it stays in their scope. */
  create(scope: AccessScope, device: DeviceRegistration, db: Db = this.prisma): Promise<Device> {
    return db.device.create({
      data: {
        ...device,
        departmentId: scope.kind === 'caller' ? scope.departmentId : null,
        ownerId: scope.kind === 'caller' && scope.data.kind === 'own' ? scope.userId : null,
      },
    });
  }

  update(scope: AccessScope, id: string, changes: DeviceChanges, db: Db = this.prisma): Promise<Device> {
    return db.device.update({ where: { id, AND: devicesInScope(scope) }, data: changes });
  }

  async delete(scope: AccessScope, id: string, db: Db = this.prisma): Promise<void> {
    await db.device.delete({ where: { id, AND: devicesInScope(scope) } });
  }

  /** Of these ids, the devices that exist within the scope. */
  async existingIds(scope: AccessScope, ids: string[], db: Db = this.prisma): Promise<string[]> {
    const found = await db.device.findMany({
      where: { AND: [{ id: { in: ids } }, devicesInScope(scope)] },
      select: { id: true },
    });
    return found.map((device) => device.id);
  }

  countInGroup(scope: AccessScope, groupId: string, db: Db = this.prisma): Promise<number> {
    return db.device.count({ where: inScope(scope, { groupId }) });
  }

  /** Puts the devices into the group, taking them out of any other. */
  async moveToGroup(scope: AccessScope, ids: string[], groupId: string, db: Db = this.prisma): Promise<void> {
    await db.device.updateMany({
      where: { AND: [{ id: { in: ids } }, devicesInScope(scope)] },
      data: { groupId },
    });
  }

  /** Takes those of the devices that are in the group out of it. */
  async takeOutOfGroup(scope: AccessScope, ids: string[], groupId: string, db: Db = this.prisma): Promise<void> {
    await db.device.updateMany({
      where: { AND: [{ id: { in: ids }, groupId }, devicesInScope(scope)] },
      data: { groupId: null },
    });
  }

  /** Of these ids, the devices within the scope, with their account and reference, in reference order. */
  accountRefsOf(
    scope: AccessScope,
    ids: string[],
    db: Db = this.prisma,
  ): Promise<Array<{ accountId: string; vendorRef: string }>> {
    return db.device.findMany({
      where: { AND: [{ id: { in: ids } }, devicesInScope(scope)] },
      select: { accountId: true, vendorRef: true },
      orderBy: { vendorRef: 'asc' },
    });
  }

  /** The ids of the devices a selection chooses (for a selection by id: which of them exist in the scope). */
  async ids(scope: AccessScope, selection: Prisma.DeviceWhereInput, db: Db = this.prisma): Promise<string[]> {
    const found = await db.device.findMany({ where: selected(scope, selection), select: { id: true } });
    return found.map((device) => device.id);
  }

  /** The ids of the devices a selection chooses, in id order. */
  async idsInOrder(scope: AccessScope, selection: Prisma.DeviceWhereInput, db: Db = this.prisma): Promise<string[]> {
    const devices = await db.device.findMany({
      where: selected(scope, selection),
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return devices.map((device) => device.id);
  }

  /** How many devices a selection chooses in each vendor account (and its vendor). */
  async countsByAccount(
    scope: AccessScope,
    selection: Prisma.DeviceWhereInput,
    db: Db = this.prisma,
  ): Promise<Array<{ accountId: string; vendor: string; count: number }>> {
    const groups = await db.device.groupBy({
      by: ['accountId', 'vendor'],
      where: selected(scope, selection),
      _count: { _all: true },
    });
    return groups.map((group) => ({ accountId: group.accountId, vendor: group.vendor, count: group._count._all }));
  }

  /** How many chosen devices are of these vendors, and the first `sample` of them in (account, reference) order. */
  async ofVendors(
    scope: AccessScope,
    selection: Prisma.DeviceWhereInput,
    vendors: string[],
    sample: number,
    db: Db = this.prisma,
  ): Promise<{ count: number; sample: Array<{ id: string; vendor: string; vendorRef: string }> }> {
    const where = { AND: [selected(scope, selection), { vendor: { in: vendors } }] };
    const [count, listed] = await Promise.all([
      db.device.count({ where }),
      db.device.findMany({
        where,
        select: { id: true, vendor: true, vendorRef: true },
        orderBy: [{ accountId: 'asc' }, { vendorRef: 'asc' }],
        take: sample,
      }),
    ]);
    return { count, sample: listed };
  }

  /** The devices a selection chooses, `pageSize` at a time in (account, vendor ref) order, never all in memory. */
  async *pages(
    scope: AccessScope,
    selection: Prisma.DeviceWhereInput,
    pageSize: number,
    db: Db = this.prisma,
  ): AsyncIterable<TargetDevice[]> {
    const where = selected(scope, selection);
    let after: { accountId: string; vendorRef: string } | undefined;
    for (;;) {
      const page = await db.device.findMany({
        where: after
          ? {
              AND: [
                where,
                {
                  OR: [
                    { accountId: { gt: after.accountId } },
                    { accountId: after.accountId, vendorRef: { gt: after.vendorRef } },
                  ],
                },
              ],
            }
          : where,
        select: { id: true, vendor: true, accountId: true, vendorRef: true },
        orderBy: [{ accountId: 'asc' }, { vendorRef: 'asc' }],
        take: pageSize,
      });
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      const last = page[page.length - 1];
      after = { accountId: last.accountId, vendorRef: last.vendorRef };
    }
  }

  /** The department and owner of a device, for the data scopes of events about it. */
  ownerOf(
    scope: AccessScope,
    id: string,
    db: Db = this.prisma,
  ): Promise<{ departmentId: string | null; ownerId: string | null } | null> {
    return db.device.findUnique({
      where: { id, AND: devicesInScope(scope) },
      select: { departmentId: true, ownerId: true },
    });
  }

  /** The device an account knows by this reference, with its status. */
  findByVendorRef(
    scope: AccessScope,
    accountId: string,
    vendorRef: string,
    db: Db = this.prisma,
  ): Promise<{ id: string; status: string } | null> {
    return db.device.findUnique({
      where: { accountId_vendorRef: { accountId, vendorRef }, AND: devicesInScope(scope) },
      select: { id: true, status: true },
    });
  }

  /**
   * Records a reported status as of `at`; an older report never overwrites a newer one. Answers
   * whether the report was recorded.
   */
  async recordStatus(scope: AccessScope, id: string, status: string, at: Date, db: Db = this.prisma): Promise<boolean> {
    const { count } = await db.device.updateMany({
      where: inScope(scope, { id, OR: [{ statusAt: null }, { statusAt: { lte: at } }] }),
      data: { status, statusAt: at, ...(status === 'online' ? { lastSeenAt: at } : {}) },
    });
    return count > 0;
  }

  /** The devices of an account among these references, with their status. */
  statusesOf(
    scope: AccessScope,
    accountId: string,
    vendorRefs: string[],
    db: Db = this.prisma,
  ): Promise<DeviceStatus[]> {
    return db.device.findMany({
      where: inScope(scope, { accountId, vendorRef: { in: vendorRefs } }),
      select: { id: true, vendorRef: true, status: true },
    });
  }

  /**
   * Writes one page of a vendor's inventory in one statement. Names are the vendor's only when a
   * device is first seen (users rename them); status, model and attributes follow the vendor.
   * Devices it inserts belong to no department: only the system syncs. Answers how many were new.
   */
  async upsertInventory(
    _scope: SystemScope,
    accountId: string,
    vendor: string,
    devices: VendorDevice[],
    db: Db = this.prisma,
  ): Promise<number> {
    const rows = await db.$queryRaw<Array<{ inserted: boolean }>>`
      INSERT INTO devices (id, vendor, account_id, vendor_ref, name, status, model, attributes,
                           synced_at, status_at, last_seen_at, updated_at)
      SELECT gen_random_uuid(), ${vendor}, ${accountId}::uuid, r.vendor_ref, r.name, r.status, r.model,
             r.attributes::jsonb, now(), now(), CASE WHEN r.status = 'online' THEN now() END, now()
      FROM unnest(${devices.map((d) => d.vendorRef)}::text[], ${devices.map((d) => d.name)}::text[],
                  ${devices.map((d) => d.status)}::text[], ${devices.map((d) => d.model ?? null)}::text[],
                  ${devices.map((d) => JSON.stringify(d.attributes ?? {}))}::text[])
           AS r(vendor_ref, name, status, model, attributes)
      ON CONFLICT (account_id, vendor_ref) DO UPDATE SET
        status = EXCLUDED.status,
        model = EXCLUDED.model,
        attributes = EXCLUDED.attributes,
        synced_at = EXCLUDED.synced_at,
        status_at = CASE WHEN devices.status <> EXCLUDED.status THEN EXCLUDED.status_at ELSE devices.status_at END,
        last_seen_at = COALESCE(EXCLUDED.last_seen_at, devices.last_seen_at),
        updated_at = EXCLUDED.updated_at
      RETURNING (xmax = 0) AS inserted`;
    return rows.filter((row) => row.inserted).length;
  }

  /** Marks `unknown` the account's devices that no sync since `syncStarted` reported; answers how many. */
  async markUnreported(
    scope: AccessScope,
    accountId: string,
    syncStarted: Date,
    db: Db = this.prisma,
  ): Promise<number> {
    const { count } = await db.device.updateMany({
      where: {
        AND: [
          { accountId, OR: [{ syncedAt: null }, { syncedAt: { lt: syncStarted } }], status: { not: 'unknown' } },
          devicesInScope(scope),
        ],
      },
      data: { status: 'unknown', statusAt: new Date() },
    });
    return count;
  }
}

/** `where` narrowed to the devices the scope reaches; left as it is when the scope reaches all of them. */
function inScope(scope: AccessScope, where: Prisma.DeviceWhereInput): Prisma.DeviceWhereInput {
  const reach = devicesInScope(scope);
  return Object.keys(reach).length > 0 ? { AND: [where, reach] } : where;
}

/** The devices a task's target selection (a `targetWhere`) chooses among those the scope reaches. */
function selected(scope: AccessScope, selection: Prisma.DeviceWhereInput): Prisma.DeviceWhereInput {
  return { AND: [selection, devicesInScope(scope)] };
}
