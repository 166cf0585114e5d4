import { FleetgateConfig } from '@fleetgate/config';
import { migrateDatabase, PrismaService } from '@fleetgate/persistence';
import { TEST_DATABASE_URL } from './test-env';

/**
 * A Prisma client on this Jest worker's test database, for specs that test statements against the real
 * PostgreSQL. Migrates the database first only when `table` is missing: the schema engine holds the
 * process open for a while after it ran.
 */
export async function migratedPrisma(table: string, settings: Partial<FleetgateConfig> = {}): Promise<PrismaService> {
  const prisma = new PrismaService(Object.assign(new FleetgateConfig(), { DATABASE_URL: TEST_DATABASE_URL, ...settings }));
  const [{ found }] = await prisma.$queryRaw<[{ found: string | null }]>`
    SELECT to_regclass(${table})::text AS found`.catch(() => [{ found: null }] as [{ found: null }]);
  if (!found) await migrateDatabase(TEST_DATABASE_URL);
  return prisma;
}
