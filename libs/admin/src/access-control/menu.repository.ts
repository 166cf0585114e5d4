import { Injectable } from '@nestjs/common';
import { type Db, type Menu, PrismaService } from '@fleetgate/persistence';

export interface MenuFields {
  parentId?: string | null;
  name?: string;
  kind?: string;
  path?: string | null;
  icon?: string | null;
  sort?: number;
  hidden?: boolean;
}

/** Frontend menus (`menus`) and which roles are granted them (`role_menus`). */
@Injectable()
export class MenuRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Every menu, in display order. */
  all(db: Db = this.prisma): Promise<Menu[]> {
    return db.menu.findMany({ orderBy: [{ sort: 'asc' }, { name: 'asc' }] });
  }

  find(id: string, db: Db = this.prisma): Promise<Menu | null> {
    return db.menu.findUnique({ where: { id } });
  }

  parentIdOf(id: string, db: Db = this.prisma): Promise<{ parentId: string | null } | null> {
    return db.menu.findUnique({ where: { id }, select: { parentId: true } });
  }

  /** How many of these ids name a menu. */
  countExisting(ids: string[], db: Db = this.prisma): Promise<number> {
    return db.menu.count({ where: { id: { in: ids } } });
  }

  countChildren(id: string, db: Db = this.prisma): Promise<number> {
    return db.menu.count({ where: { parentId: id } });
  }

  create(fields: MenuFields & { name: string }, db: Db = this.prisma): Promise<Menu> {
    return db.menu.create({ data: fields });
  }

  async update(id: string, fields: MenuFields, db: Db = this.prisma): Promise<void> {
    await db.menu.update({ where: { id }, data: fields });
  }

  async delete(id: string, db: Db = this.prisma): Promise<void> {
    await db.menu.delete({ where: { id } });
  }

  /** The menus granted to a role. */
  async grantedTo(roleId: string, db: Db = this.prisma): Promise<string[]> {
    const rows = await db.roleMenu.findMany({ where: { roleId }, select: { menuId: true } });
    return rows.map(({ menuId }) => menuId);
  }

  /** The menus granted to the enabled roles a user holds (a menu once per role granting it). */
  async grantedToUser(userId: string, db: Db = this.prisma): Promise<string[]> {
    // One statement, filtered by the user's roles in place (auth's tables, read only).
    const rows = await db.roleMenu.findMany({
      where: { role: { enabled: true, users: { some: { userId } } } },
      select: { menuId: true },
    });
    return rows.map(({ menuId }) => menuId);
  }

  /** Replaces the menus granted to a role. */
  async replaceGrants(roleId: string, menuIds: string[], db: Db = this.prisma): Promise<void> {
    await db.roleMenu.deleteMany({ where: { roleId } });
    await db.roleMenu.createMany({ data: menuIds.map((menuId) => ({ roleId, menuId })) });
  }
}
