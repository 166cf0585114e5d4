import { Injectable } from '@nestjs/common';
import { type Db, type Prisma, PrismaService } from '@fleetgate/persistence';
import type { AccessScope } from '../scope/access-scope';
import { devicesInScope } from '../scope/data-scope-where';

/** A group with the number of its devices that a scope reaches. */
export type DeviceGroupWithCount = Prisma.DeviceGroupGetPayload<{ include: ReturnType<typeof devicesCountIn> }>;

export interface DeviceGroupChanges {
  name?: string;
  description?: string;
}

/**
 * The `device_groups` table. Groups are shared by every scope; what a scope changes is which of its
 * devices are in them, so the scope is taken where a group's devices are counted.
 */
@Injectable()
export class DeviceGroupRepository {
  constructor(private readonly prisma: PrismaService) {}

  list(scope: AccessScope, db: Db = this.prisma): Promise<DeviceGroupWithCount[]> {
    return db.deviceGroup.findMany({ orderBy: { name: 'asc' }, include: devicesCountIn(scope) });
  }

  find(scope: AccessScope, id: string, db: Db = this.prisma): Promise<DeviceGroupWithCount | null> {
    return db.deviceGroup.findUnique({ where: { id }, include: devicesCountIn(scope) });
  }

  async exists(id: string, db: Db = this.prisma): Promise<boolean> {
    return (await db.deviceGroup.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  create(
    scope: AccessScope,
    group: { name: string; description: string },
    db: Db = this.prisma,
  ): Promise<DeviceGroupWithCount> {
    return db.deviceGroup.create({ data: group, include: devicesCountIn(scope) });
  }

  update(
    scope: AccessScope,
    id: string,
    changes: DeviceGroupChanges,
    db: Db = this.prisma,
  ): Promise<DeviceGroupWithCount> {
    return db.deviceGroup.update({ where: { id }, data: changes, include: devicesCountIn(scope) });
  }

  /** Its devices stay, out of any group. */
  async delete(id: string, db: Db = this.prisma): Promise<void> {
    await db.deviceGroup.delete({ where: { id } });
  }
}

/** A group's device count, of the devices the scope reaches. */
function devicesCountIn(scope: AccessScope) {
  return { _count: { select: { devices: { where: devicesInScope(scope) } } } } satisfies Prisma.DeviceGroupInclude;
}
