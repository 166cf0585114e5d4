import { Injectable } from '@nestjs/common';
import { type Db, type Prisma, PrismaService } from '@fleetgate/persistence';

const ROLE_INCLUDE = {
  permissions: { select: { permission: true } },
  _count: { select: { users: true } },
} satisfies Prisma.RoleInclude;

/** A role with its granted permissions and how many users hold it. */
export type RoleRecord = Prisma.RoleGetPayload<{ include: typeof ROLE_INCLUDE }>;

/** What a role grants to the access model: its data scope and permissions. */
export interface RoleAccess {
  dataScope: string;
  permissions: Array<{ permission: string }>;
}

export interface RoleFields {
  code?: string;
  name?: string;
  description?: string;
  dataScope?: string;
  enabled?: boolean;
}

/** Roles, the permissions granted to them and who holds them (`roles`, `role_permissions`, `user_roles`). */
@Injectable()
export class RoleRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The data scope and permissions of these roles, enabled or not. */
  accessOf(roleIds: string[], db: Db = this.prisma): Promise<RoleAccess[]> {
    return db.role.findMany({
      where: { id: { in: roleIds } },
      select: { dataScope: true, permissions: { select: { permission: true } } },
    });
  }

  /** A page of roles whose name or code contains `text` (any role without it), by code. */
  page(text: string | undefined, skip: number, take: number, db: Db = this.prisma): Promise<RoleRecord[]> {
    return db.role.findMany({ where: roleFilter(text), include: ROLE_INCLUDE, orderBy: { code: 'asc' }, skip, take });
  }

  count(text: string | undefined, db: Db = this.prisma): Promise<number> {
    return db.role.count({ where: roleFilter(text) });
  }

  find(id: string, db: Db = this.prisma): Promise<RoleRecord | null> {
    return db.role.findUnique({ where: { id }, include: ROLE_INCLUDE });
  }

  /** How many of these ids name a role. */
  countExisting(ids: string[], db: Db = this.prisma): Promise<number> {
    return db.role.count({ where: { id: { in: ids } } });
  }

  create(fields: RoleFields & { code: string; name: string }, db: Db = this.prisma): Promise<RoleRecord> {
    return db.role.create({ data: fields, include: ROLE_INCLUDE });
  }

  async update(id: string, fields: RoleFields, db: Db = this.prisma): Promise<void> {
    await db.role.update({ where: { id }, data: fields });
  }

  async delete(id: string, db: Db = this.prisma): Promise<void> {
    await db.role.delete({ where: { id } });
  }

  /** Replaces the permissions granted to a role. */
  async replacePermissions(roleId: string, permissions: string[], db: Db = this.prisma): Promise<void> {
    await db.rolePermission.deleteMany({ where: { roleId } });
    await db.rolePermission.createMany({ data: permissions.map((permission) => ({ roleId, permission })) });
  }

  /** Replaces the roles a user holds. */
  async replaceRolesOf(userId: string, roleIds: string[], db: Db = this.prisma): Promise<void> {
    await db.userRole.deleteMany({ where: { userId } });
    await db.userRole.createMany({ data: roleIds.map((roleId) => ({ userId, roleId })) });
  }
}

function roleFilter(text: string | undefined): Prisma.RoleWhereInput {
  return text
    ? {
        OR: [
          { name: { contains: text, mode: 'insensitive' } },
          { code: { contains: text, mode: 'insensitive' } },
        ],
      }
    : {};
}
