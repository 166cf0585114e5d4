import type { Prisma } from '@fleetgate/persistence';
import type { DeviceFilterDto } from './device.dto';

/** One translation of a device filter, shared by the device list and task targeting. */
export function deviceWhere(filter: DeviceFilterDto): Prisma.DeviceWhereInput {
  return {
    ...(filter.vendor ? { vendor: filter.vendor } : {}),
    ...(filter.accountId ? { accountId: filter.accountId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.groupId ? { groupId: filter.groupId } : {}),
    ...(filter.tag ? { tags: { has: filter.tag } } : {}),
    ...(filter.text
      ? {
          OR: [
            { name: { contains: filter.text, mode: 'insensitive' as const } },
            { vendorRef: { contains: filter.text, mode: 'insensitive' as const } },
          ],
        }
      : {}),
  };
}
