import { Injectable } from '@nestjs/common';
import { type Db, type Prisma, PrismaService, type User } from '@fleetgate/persistence';
import type { RoleAccess } from '../access/role.repository';

/** A user as the back office lists them: with their department's name and their roles. */
const USER_VIEW_INCLUDE = {
  department: { select: { name: true } },
  roles: { select: { role: { select: { id: true, code: true, name: true } } } },
} satisfies Prisma.UserInclude;

export type UserViewRecord = Prisma.UserGetPayload<{ include: typeof USER_VIEW_INCLUDE }>;

/** Which users a back-office list shows; every field given narrows it. */
export interface UserFilter {
  /** Part of the name or e-mail, any case. */
  text?: string;
  phone?: string;
  roleId?: string;
  departmentId?: string;
  enabled?: boolean;
}

/** What the back office sets on a user; undefined leaves a field as it is. */
export interface UserFields {
  email?: string;
  name?: string;
  passwordHash?: string;
  passwordChangedAt?: Date;
  phone?: string | null;
  avatarUrl?: string | null;
  departmentId?: string | null;
  gradeId?: string | null;
  enabled?: boolean;
}

/** Whether a user may act at all, and where they sit. */
export interface UserStanding {
  enabled: boolean;
  isSuperAdmin: boolean;
  departmentId: string | null;
}

/** Users (`users`): their sign-in rows, their standing and how the back office sees them. */
@Injectable()
export class UserRepository {
  constructor(private readonly prisma: PrismaService) {}

  findByEmail(email: string, db: Db = this.prisma): Promise<User | null> {
    return db.user.findUnique({ where: { email } });
  }

  async existsWithEmail(email: string, db: Db = this.prisma): Promise<boolean> {
    return (await db.user.findUnique({ where: { email }, select: { id: true } })) !== null;
  }

  async exists(id: string, db: Db = this.prisma): Promise<boolean> {
    return (await db.user.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  /** Whether the user exists and belongs to one of these departments. */
  async existsInDepartments(id: string, departmentIds: string[], db: Db = this.prisma): Promise<boolean> {
    const user = await db.user.findFirst({
      where: { id, departmentId: { in: departmentIds } },
      select: { id: true },
    });
    return user !== null;
  }

  find(id: string, db: Db = this.prisma): Promise<User | null> {
    return db.user.findUnique({ where: { id } });
  }

  /** The user with the ids of the roles they hold. */
  findWithRoleIds(id: string, db: Db = this.prisma) {
    return db.user.findUnique({ where: { id }, include: { roles: { select: { roleId: true } } } });
  }

  standingOf(id: string, db: Db = this.prisma): Promise<UserStanding | null> {
    return db.user.findUnique({ where: { id }, select: { enabled: true, isSuperAdmin: true, departmentId: true } });
  }

  /** The user's department and the access of their enabled roles. */
  async accessRowOf(
    id: string,
    db: Db = this.prisma,
  ): Promise<{ departmentId: string | null; roles: RoleAccess[] } | null> {
    const user = await db.user.findUnique({
      where: { id },
      select: {
        departmentId: true,
        roles: {
          where: { role: { enabled: true } },
          select: { role: { select: { dataScope: true, permissions: { select: { permission: true } } } } },
        },
      },
    });
    return user && { departmentId: user.departmentId, roles: user.roles.map(({ role }) => role) };
  }

  /**
   * Creates the user unless one with the e-mail exists (another gateway may be creating it at the same
   * moment); answers whether this call created it.
   */
  async createUnlessExists(
    user: { email: string; name: string; passwordHash: string; isSuperAdmin: boolean },
    db: Db = this.prisma,
  ): Promise<boolean> {
    const created = await db.user.createMany({ data: [user], skipDuplicates: true });
    return created.count > 0;
  }

  /** Creates a user holding these roles; answers its id. */
  async create(
    fields: UserFields & { email: string; name: string; passwordHash: string; enabled: boolean },
    roleIds: string[],
    db: Db = this.prisma,
  ): Promise<string> {
    const user = await db.user.create({
      data: { ...fields, roles: { create: roleIds.map((roleId) => ({ roleId })) } },
    });
    return user.id;
  }

  async update(id: string, fields: UserFields, db: Db = this.prisma): Promise<void> {
    await db.user.update({ where: { id }, data: fields });
  }

  /** Makes every access token issued to the user so far stale. */
  async bumpTokenVersion(id: string, db: Db = this.prisma): Promise<void> {
    await db.user.update({ where: { id }, data: { tokenVersion: { increment: 1 } } });
  }

  /** The users holding a role, as far as reaching them matters. */
  holdersOf(
    roleId: string,
    db: Db = this.prisma,
  ): Promise<Array<{ id: string; isSuperAdmin: boolean; departmentId: string | null }>> {
    return db.user.findMany({
      where: { roles: { some: { roleId } } },
      select: { id: true, isSuperAdmin: true, departmentId: true },
    });
  }

  countWithGrade(gradeId: string, db: Db = this.prisma): Promise<number> {
    return db.user.count({ where: { gradeId } });
  }

  /** A page of users matching the filter, by e-mail. */
  page(filter: UserFilter, skip: number, take: number, db: Db = this.prisma): Promise<UserViewRecord[]> {
    return db.user.findMany({
      where: userWhere(filter),
      include: USER_VIEW_INCLUDE,
      orderBy: { email: 'asc' },
      skip,
      take,
    });
  }

  count(filter: UserFilter, db: Db = this.prisma): Promise<number> {
    return db.user.count({ where: userWhere(filter) });
  }

  findView(id: string, db: Db = this.prisma): Promise<UserViewRecord | null> {
    return db.user.findUnique({ where: { id }, include: USER_VIEW_INCLUDE });
  }

  /** These users (those that exist), by e-mail. */
  findViews(ids: string[], db: Db = this.prisma): Promise<UserViewRecord[]> {
    return db.user.findMany({ where: { id: { in: ids } }, include: USER_VIEW_INCLUDE, orderBy: { email: 'asc' } });
  }
}

function userWhere(filter: UserFilter): Prisma.UserWhereInput {
  return {
    ...(filter.text
      ? {
          OR: [
            { name: { contains: filter.text, mode: 'insensitive' } },
            { email: { contains: filter.text, mode: 'insensitive' } },
          ],
        }
      : {}),
    ...(filter.phone ? { phone: { contains: filter.phone } } : {}),
    ...(filter.roleId ? { roles: { some: { roleId: filter.roleId } } } : {}),
    ...(filter.departmentId ? { departmentId: filter.departmentId } : {}),
    ...(filter.enabled !== undefined ? { enabled: filter.enabled } : {}),
  };
}
