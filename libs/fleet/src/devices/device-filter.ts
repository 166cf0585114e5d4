import type { Prisma } from '@fleetgate/persistence';
import type { SqlWhere } from '../scope/data-scope-where';
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

/** deviceWhere as SQL on the `devices` table, for the device list its repository writes by hand. */
export function deviceFilterSql(filter: DeviceFilterDto, where: SqlWhere): void {
  if (filter.vendor) where.and(`vendor = ${where.add(filter.vendor)}`);
  if (filter.accountId) where.and(`account_id = ${where.add(filter.accountId)}::uuid`);
  if (filter.status) where.and(`status = ${where.add(filter.status)}`);
  if (filter.groupId) where.and(`group_id = ${where.add(filter.groupId)}::uuid`);
  // @> rather than ANY(), so that the GIN index on tags serves it.
  if (filter.tag) where.and(`tags @> ARRAY[${where.add(filter.tag)}::text]`);
  if (filter.text) {
    // The text matches as written: % and _ in it are not wildcards.
    const pattern = where.add(`%${filter.text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`);
    where.and(`name ILIKE ${pattern} OR vendor_ref ILIKE ${pattern}`);
  }
}
