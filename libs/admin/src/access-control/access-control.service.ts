import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import { type Principal, type RoleRecord, RoleRepository, UserAccessService, UserRepository } from '@fleetgate/auth';
import { type Menu, type Resource, Transactions } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import { AdminReach, type Reach } from '../admin-reach.service';
import { nestByParent } from '../nest-by-parent';
import type {
  CreateMenuDto,
  CreateRoleDto,
  MenuNodeDto,
  ResourceDto,
  ResourceQueryDto,
  RoleDto,
  RoleGrantsDto,
  RoleGrantTreeDto,
  RoleQueryDto,
  UpdateMenuDto,
  UpdateResourceDto,
  UpdateRoleDto,
} from './access-control.dto';
import { MenuRepository } from './menu.repository';
import { ResourceRepository } from './resource.repository';

function toRoleDto({ permissions, _count, ...role }: RoleRecord): RoleDto {
  return { ...role, userCount: _count.users, permissions: permissions.map(({ permission }) => permission).sort() };
}

function toResourceDto(resource: Resource): ResourceDto {
  return {
    id: resource.id,
    method: resource.method,
    path: resource.path,
    permission: resource.permission,
    name: resource.name,
    description: resource.description,
    active: resource.active,
  };
}

function menuTree(menus: Menu[]): MenuNodeDto[] {
  return nestByParent(
    menus.map((menu) => ({
      id: menu.id,
      parentId: menu.parentId,
      name: menu.name,
      kind: menu.kind,
      path: menu.path,
      icon: menu.icon,
      sort: menu.sort,
      hidden: menu.hidden,
      children: [],
    })),
  );
}

/**
 * Roles and what they are granted: frontend menus and API permissions (the routes that need them).
 * Every change that alters someone's access refreshes the access cache of every process. Nobody acts on
 * a role carrying a permission they lack or a data scope wider than theirs, nor makes a role so, nor
 * changes a role held by someone outside their data scope, so that the role screen is no way around
 * one's own permissions and scope (their own roles included).
 */
@Injectable()
export class AccessControlService {
  constructor(
    private readonly roles: RoleRepository,
    private readonly users: UserRepository,
    private readonly menuRepository: MenuRepository,
    private readonly resourceRepository: ResourceRepository,
    private readonly transactions: Transactions,
    private readonly access: UserAccessService,
    private readonly reach: AdminReach,
  ) {}

  async listRoles(query: RoleQueryDto): Promise<Paged<RoleDto>> {
    const [rows, total] = await Promise.all([
      this.roles.page(query.name, query.skip, query.pageSize),
      this.roles.count(query.name),
    ]);
    return paged(rows.map(toRoleDto), total, query);
  }

  async getRole(id: string): Promise<RoleDto> {
    const row = await this.roles.find(id);
    if (!row) throw new NotFoundError('Role', id);
    return toRoleDto(row);
  }

  async createRole(input: CreateRoleDto, caller: Principal): Promise<RoleDto> {
    this.reach.assertRoleWithin(await this.reach.of(caller), { permissions: [], dataScope: input.dataScope ?? 'own' });
    const row = await this.roles.create(input);
    return toRoleDto(row);
  }

  async updateRole(id: string, input: UpdateRoleDto, caller: Principal): Promise<RoleDto> {
    const role = await this.getRole(id);
    const reach = await this.reach.of(caller);
    this.reach.assertRoleWithin(reach, role);
    await this.assertHoldersInScope(reach, id);
    // Re-enabling a role or widening its scope hands out access like a grant does.
    if (input.dataScope !== undefined) this.reach.assertRoleWithin(reach, { ...role, dataScope: input.dataScope });
    await this.roles.update(id, input);
    await this.access.refresh();
    return this.getRole(id);
  }

  async removeRole(id: string, caller: Principal): Promise<void> {
    const role = await this.getRole(id);
    const reach = await this.reach.of(caller);
    this.reach.assertRoleWithin(reach, role);
    await this.assertHoldersInScope(reach, id);
    if (role.userCount > 0) {
      throw new ConflictError(`Role ${role.code} is still held`, [
        { field: 'users', problem: `${role.userCount} user(s) hold it; take it from them first` },
      ]);
    }
    await this.roles.delete(id);
    await this.access.refresh();
  }

  /** Reloads the permission cache of every gateway and worker. */
  refresh(): Promise<void> {
    return this.access.refresh();
  }

  async grantTree(id: string): Promise<RoleGrantTreeDto> {
    const [role, menus, grantedMenus, resources] = await Promise.all([
      this.getRole(id),
      this.menuRepository.all(),
      this.menuRepository.grantedTo(id),
      this.resourceRepository.grantable(),
    ]);
    const byPermission = new Map<string, ResourceDto[]>();
    for (const resource of resources) {
      const routes = byPermission.get(resource.permission!) ?? [];
      routes.push(toResourceDto(resource));
      byPermission.set(resource.permission!, routes);
    }
    return {
      menus: menuTree(menus),
      permissions: [...byPermission]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([permission, routes]) => ({ permission, routes })),
      menuIds: grantedMenus,
      grantedPermissions: role.permissions,
    };
  }

  async grant(id: string, grants: RoleGrantsDto, caller: Principal): Promise<RoleGrantTreeDto> {
    const role = await this.getRole(id);
    const reach = await this.reach.of(caller);
    // Both what is added and what is taken away must be within the caller's own permissions, and
    // everyone the change reaches within the caller's scope.
    this.reach.assertRoleWithin(reach, {
      dataScope: role.dataScope,
      permissions: [...grants.permissions, ...role.permissions],
    });
    await this.assertHoldersInScope(reach, id);
    const known = await this.menuRepository.countExisting(grants.menuIds);
    if (known !== grants.menuIds.length) {
      throw new RuleViolationError('Some menus do not exist', [
        { field: 'menuIds', problem: 'names a menu that does not exist' },
      ]);
    }
    await this.transactions.run(async (tx) => {
      await this.menuRepository.replaceGrants(id, grants.menuIds, tx);
      await this.roles.replacePermissions(id, grants.permissions, tx);
    });
    await this.access.refresh();
    return this.grantTree(id);
  }

  /** The menus the caller's roles are granted, with the entries above them so that the tree holds together. */
  async menusOf(caller: Principal): Promise<MenuNodeDto[]> {
    const all = await this.menuRepository.all();
    if (caller.superAdmin) return menuTree(all);
    const granted = await this.menuRepository.grantedToUser(caller.userId);
    const byId = new Map(all.map((menu) => [menu.id, menu]));
    const keep = new Set<string>();
    for (const menuId of granted) {
      for (
        let menu = byId.get(menuId);
        menu && !keep.has(menu.id);
        menu = menu.parentId ? byId.get(menu.parentId) : undefined
      ) {
        keep.add(menu.id);
      }
    }
    return menuTree(all.filter((menu) => keep.has(menu.id)));
  }

  async menus(): Promise<MenuNodeDto[]> {
    return menuTree(await this.menuRepository.all());
  }

  async createMenu(input: CreateMenuDto): Promise<MenuNodeDto> {
    await this.checkMenuParent(undefined, input.parentId);
    const menu = await this.menuRepository.create(input);
    return menuTree([menu])[0];
  }

  async updateMenu(id: string, input: UpdateMenuDto): Promise<MenuNodeDto> {
    await this.menu(id);
    await this.checkMenuParent(id, input.parentId);
    await this.menuRepository.update(id, input);
    return (await this.menus()).flatMap(function find(node): MenuNodeDto[] {
      return node.id === id ? [node] : node.children.flatMap(find);
    })[0];
  }

  async removeMenu(id: string): Promise<void> {
    await this.menu(id);
    const children = await this.menuRepository.countChildren(id);
    if (children) {
      throw new ConflictError('The menu still has entries below it', [
        { field: 'children', problem: `${children} menu(s) sit below it; delete or move them first` },
      ]);
    }
    await this.menuRepository.delete(id);
  }

  async resources(query: ResourceQueryDto): Promise<Paged<ResourceDto>> {
    const [rows, total] = await Promise.all([
      this.resourceRepository.page(query, query.skip, query.pageSize),
      this.resourceRepository.count(query),
    ]);
    return paged(rows.map(toResourceDto), total, query);
  }

  async updateResource(id: string, input: UpdateResourceDto): Promise<ResourceDto> {
    if (!(await this.resourceRepository.exists(id))) throw new NotFoundError('Resource', id);
    return toResourceDto(await this.resourceRepository.update(id, input));
  }

  /** Refuses to change a role whose holders include someone outside the caller's scope. */
  private async assertHoldersInScope(reach: Reach, roleId: string): Promise<void> {
    if (reach.superAdmin) return;
    const holders = await this.users.holdersOf(roleId);
    this.reach.assertRoleHoldersInScope(reach, holders);
  }

  private async menu(id: string): Promise<Menu> {
    const menu = await this.menuRepository.find(id);
    if (!menu) throw new NotFoundError('Menu', id);
    return menu;
  }

  /** The parent must exist, and a menu may not move below itself. */
  private async checkMenuParent(id: string | undefined, parentId: string | null | undefined): Promise<void> {
    if (!parentId) return;
    let cursor: string | null = parentId;
    while (cursor) {
      if (cursor === id) {
        throw new RuleViolationError('A menu cannot sit below itself', [
          { field: 'parentId', problem: 'is this menu or one below it' },
        ]);
      }
      const parent: { parentId: string | null } | null = await this.menuRepository.parentIdOf(cursor);
      if (!parent) {
        throw new RuleViolationError('The parent menu does not exist', [
          { field: 'parentId', problem: 'no such menu' },
        ]);
      }
      cursor = parent.parentId;
    }
  }
}
