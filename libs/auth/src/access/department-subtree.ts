import type { PrismaService } from '@fleetgate/persistence';

/** A department and every department below it, following parent links down. */
export async function departmentSubtreeIds(prisma: PrismaService, departmentId: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE tree AS (
      SELECT id FROM departments WHERE id = ${departmentId}::uuid
      UNION
      SELECT d.id FROM departments d JOIN tree ON d.parent_id = tree.id
    )
    SELECT id::text FROM tree`;
  return rows.map((row) => row.id);
}
