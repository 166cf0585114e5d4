import { Injectable } from '@nestjs/common';
import { type Db, type Prisma, PrismaService } from '@fleetgate/persistence';

/** Departments are shown with their manager's name and how many users they hold. */
const DEPARTMENT_INCLUDE = {
  manager: { select: { name: true } },
  _count: { select: { members: true } },
} satisfies Prisma.DepartmentInclude;

export type DepartmentRecord = Prisma.DepartmentGetPayload<{ include: typeof DEPARTMENT_INCLUDE }>;

/** What a department is made of as the back office edits it. */
export interface DepartmentFields {
  name?: string;
  parentId?: string | null;
  managerId?: string | null;
  sort?: number;
}

/** The department tree (`departments`): data scopes follow it, the back office edits it. */
@Injectable()
export class DepartmentRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A department and every department below it, following parent links down. */
  async subtreeIds(departmentId: string, db: Db = this.prisma): Promise<string[]> {
    const rows = await db.$queryRaw<Array<{ id: string }>>`
      WITH RECURSIVE tree AS (
        SELECT id FROM departments WHERE id = ${departmentId}::uuid
        UNION
        SELECT d.id FROM departments d JOIN tree ON d.parent_id = tree.id
      )
      SELECT id::text FROM tree`;
    return rows.map((row) => row.id);
  }

  /** Every department, in display order. */
  all(db: Db = this.prisma): Promise<DepartmentRecord[]> {
    return db.department.findMany({ orderBy: [{ sort: 'asc' }, { name: 'asc' }], include: DEPARTMENT_INCLUDE });
  }

  find(id: string, db: Db = this.prisma): Promise<DepartmentRecord | null> {
    return db.department.findUnique({ where: { id }, include: DEPARTMENT_INCLUDE });
  }

  async exists(id: string, db: Db = this.prisma): Promise<boolean> {
    return (await db.department.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  /** How many of these ids name a department (one id: 1 or 0). */
  countOf(id: string, db: Db = this.prisma): Promise<number> {
    return db.department.count({ where: { id } });
  }

  /** The department with how many departments sit below it and users belong to it. */
  findWithUse(id: string, db: Db = this.prisma) {
    return db.department.findUnique({
      where: { id },
      include: { _count: { select: { children: true, members: true } } },
    });
  }

  async create(fields: DepartmentFields & { name: string }, db: Db = this.prisma): Promise<string> {
    const row = await db.department.create({
      data: { name: fields.name, parentId: fields.parentId, managerId: fields.managerId, sort: fields.sort },
    });
    return row.id;
  }

  async update(id: string, fields: DepartmentFields, db: Db = this.prisma): Promise<void> {
    await db.department.update({
      where: { id },
      data: { name: fields.name, parentId: fields.parentId, managerId: fields.managerId, sort: fields.sort },
    });
  }

  async delete(id: string, db: Db = this.prisma): Promise<void> {
    await db.department.delete({ where: { id } });
  }
}
