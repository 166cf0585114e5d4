import { Injectable } from '@nestjs/common';
import { type Db, type Prisma, PrismaService } from '@fleetgate/persistence';
import type { AccessScope } from '../scope/access-scope';
import { devicesInScope } from '../scope/data-scope-where';

/** A device as a task's target rows are made of it. */
export interface TargetDevice {
  id: string;
  vendor: string;
  accountId: string;
  vendorRef: string;
}

/**
 * The device reads that choosing a task's targets needs, each over the devices a selection (a
 * `targetWhere`) chooses among those the scope reaches. They read the `devices` and `device_groups`
 * tables, which the devices capability owns; they are kept to these few narrow questions, beside
 * tasks, so that the devices' own repository can take them over by moving this file's bodies.
 */
@Injectable()
export class TargetDeviceRepository {
  constructor(private readonly prisma: PrismaService) {}

  async groupExists(id: string): Promise<boolean> {
    return (await this.prisma.deviceGroup.findUnique({ where: { id } })) !== null;
  }

  /** The ids of the devices chosen (for a selection by id: which of them exist in the scope). */
  async ids(scope: AccessScope, selection: Prisma.DeviceWhereInput): Promise<string[]> {
    const found = await this.prisma.device.findMany({ where: inScope(scope, selection), select: { id: true } });
    return found.map((device) => device.id);
  }

  /** The ids of the devices chosen, in id order. */
  async idsInOrder(scope: AccessScope, selection: Prisma.DeviceWhereInput): Promise<string[]> {
    const devices = await this.prisma.device.findMany({
      where: inScope(scope, selection),
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return devices.map((device) => device.id);
  }

  /** How many devices are chosen in each vendor account (and its vendor). */
  async countsByAccount(
    scope: AccessScope,
    selection: Prisma.DeviceWhereInput,
  ): Promise<Array<{ accountId: string; vendor: string; count: number }>> {
    const groups = await this.prisma.device.groupBy({
      by: ['accountId', 'vendor'],
      where: inScope(scope, selection),
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
  ): Promise<{ count: number; sample: Array<{ id: string; vendor: string; vendorRef: string }> }> {
    const where = { AND: [inScope(scope, selection), { vendor: { in: vendors } }] };
    const [count, listed] = await Promise.all([
      this.prisma.device.count({ where }),
      this.prisma.device.findMany({
        where,
        select: { id: true, vendor: true, vendorRef: true },
        orderBy: [{ accountId: 'asc' }, { vendorRef: 'asc' }],
        take: sample,
      }),
    ]);
    return { count, sample: listed };
  }

  /** The devices chosen, `pageSize` at a time in (account, vendor ref) order, never all in memory. */
  async *pages(
    scope: AccessScope,
    selection: Prisma.DeviceWhereInput,
    pageSize: number,
    db: Db = this.prisma,
  ): AsyncIterable<TargetDevice[]> {
    const where = inScope(scope, selection);
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
}

function inScope(scope: AccessScope, selection: Prisma.DeviceWhereInput): Prisma.DeviceWhereInput {
  return { AND: [selection, devicesInScope(scope)] };
}
