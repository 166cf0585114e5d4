import { Injectable } from '@nestjs/common';
import { type Db, type Grade, type Prisma, PrismaService } from '@fleetgate/persistence';

/** Grades are shown with how many users have them (a count over auth's users, read in the same statement). */
const WITH_USER_COUNT = { _count: { select: { users: true } } } as const;

export type GradeRecord = Grade & { _count: { users: number } };

export interface GradeFields {
  name?: string;
  level?: number;
}

/** Grades (`grades`). */
@Injectable()
export class GradeRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A page of grades whose name contains `text` (any grade without it). */
  page(text: string | undefined, skip: number, take: number, db: Db = this.prisma): Promise<GradeRecord[]> {
    return db.grade.findMany({
      where: gradeWhere(text),
      orderBy: [{ level: 'asc' }, { name: 'asc' }],
      skip,
      take,
      include: WITH_USER_COUNT,
    });
  }

  count(text: string | undefined, db: Db = this.prisma): Promise<number> {
    return db.grade.count({ where: gradeWhere(text) });
  }

  async exists(id: string, db: Db = this.prisma): Promise<boolean> {
    return (await db.grade.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  /** How many grades have this id (1 or 0). */
  countOf(id: string, db: Db = this.prisma): Promise<number> {
    return db.grade.count({ where: { id } });
  }

  /** The names of these grades, by id. */
  async namesOf(ids: string[], db: Db = this.prisma): Promise<Map<string, string>> {
    const rows = await db.grade.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  create(fields: GradeFields & { name: string }, db: Db = this.prisma): Promise<GradeRecord> {
    return db.grade.create({ data: fields, include: WITH_USER_COUNT });
  }

  update(id: string, fields: GradeFields, db: Db = this.prisma): Promise<GradeRecord> {
    return db.grade.update({ where: { id }, data: fields, include: WITH_USER_COUNT });
  }

  async delete(id: string, db: Db = this.prisma): Promise<void> {
    await db.grade.delete({ where: { id } });
  }
}

function gradeWhere(text: string | undefined): Prisma.GradeWhereInput {
  return text ? { name: { contains: text, mode: 'insensitive' } } : {};
}
