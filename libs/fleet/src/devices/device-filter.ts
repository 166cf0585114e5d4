import type { Prisma } from '@fleetgate/persistence';
import type { SqlWhere } from '../scope/data-scope-where';
import type { DeviceFilterDto } from './device.dto';

/**
 * The text of a filter as a LIKE pattern matching it as written: `%`, `_` and `\` are escaped (`\` is
 * LIKE's escape character), so that `50%` matches "50%" and not "500". Prisma's `contains` does not
 * escape them itself.
 */
function literalLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * One translation of a device filter, for task targeting; deviceFilterSql is the same filter in SQL
 * for the device list. Both must select the same devices: a task is created from the filter whose
 * devices its list showed (device-reads.spec.ts compares them).
 */
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
            { name: { contains: literalLike(filter.text), mode: 'insensitive' as const } },
            { vendorRef: { contains: literalLike(filter.text), mode: 'insensitive' as const } },
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
    const pattern = where.add(`%${literalLike(filter.text)}%`);
    where.and(`name ILIKE ${pattern} OR vendor_ref ILIKE ${pattern}`);
  }
}
