import { Injectable } from '@nestjs/common';
import {
  type DataScope,
  type DataScopeKind,
  type Principal,
  scopeCovers,
  scopeHoldsDepartment,
  scopeKindWithin,
  UserAccessService,
} from '@fleetgate/auth';
import { ForbiddenError } from '@fleetgate/domain';

/** How far a caller reaches: what it holds and which departments it sees. A super admin reaches everything. */
export type Reach =
  | { superAdmin: true; userId: string }
  | {
      superAdmin: false;
      userId: string;
      permissions: ReadonlySet<string>;
      scope: DataScope;
      scopeKind: DataScopeKind;
    };

/** A user as the back office is about to act on them. */
export interface ReachedUser {
  id: string;
  isSuperAdmin: boolean;
  departmentId: string | null;
  roleIds: string[];
}

function refuse(message: string, field: string, problem: string): ForbiddenError {
  return new ForbiddenError(message, [{ field, problem }]);
}

/**
 * The back office's limit: an admin acts only on users, roles and departments within their own
 * permissions and data scope, and nobody widens themselves. Users within reach sit in a department the
 * caller sees (or are the caller) and hold no permission or scope the caller lacks; roles within reach
 * carry no permission the caller lacks and no scope kind wider than the caller's; departments within
 * reach are those the caller's scope holds, and a role is changed only when everyone holding it is
 * within reach too. A department-scoped caller thereby never moves anyone or
 * anything, itself included, outside its own department tree.
 */
@Injectable()
export class AdminReach {
  constructor(private readonly access: UserAccessService) {}

  /**
   * The caller's reach, read past the access cache: its permissions as the request holds them (an API
   * key holds at most its owner's) and still held now, and its scope now.
   */
  async of(caller: Principal): Promise<Reach> {
    if (caller.superAdmin) return { superAdmin: true, userId: caller.userId };
    const current = await this.access.currentAccessOf(caller.userId);
    return {
      superAdmin: false,
      userId: caller.userId,
      permissions: new Set([...caller.permissions].filter((permission) => current.permissions.has(permission))),
      scope: current.scope,
      scopeKind: current.scopeKind,
    };
  }

  /**
   * Refuses to act on a super admin (unless one) or a user outside the caller's scope. Enough for what
   * only takes access away (revoking keys); anything else needs assertUserWithin.
   */
  assertUserInScope(reach: Reach, user: Pick<ReachedUser, 'id' | 'isSuperAdmin' | 'departmentId'>): void {
    if (user.isSuperAdmin && !reach.superAdmin) throw new ForbiddenError('Only a super admin changes a super admin');
    if (reach.superAdmin || user.id === reach.userId) return;
    if (!scopeHoldsDepartment(reach.scope, user.departmentId)) {
      throw refuse('The user is outside your data scope', 'id', 'belongs to a department outside your data scope');
    }
  }

  /** Refuses to act on a user beyond the caller: a super admin, outside its scope, or holding more than it. */
  async assertUserWithin(reach: Reach, user: ReachedUser): Promise<void> {
    this.assertUserInScope(reach, user);
    if (reach.superAdmin || user.id === reach.userId) return;
    const held = await this.access.accessWithRoles(user.id, user.roleIds, user.departmentId);
    const beyond = [...held.permissions].filter((permission) => !reach.permissions.has(permission));
    if (beyond.length) {
      throw refuse('The user holds permissions you do not hold', 'id', `holds ${beyond.sort().join(', ')}`);
    }
    if (!scopeCovers(reach.scope, held.scope)) {
      throw refuse('The user sees more than you do', 'id', 'has a data scope wider than yours');
    }
  }

  /**
   * Refuses a user's new roles or department when the user would then hold a permission or scope the
   * caller lacks, or sit in a department outside the caller's scope. `changed` names what the request
   * changes (a new user changes both).
   */
  async assertUserStaysWithin(
    reach: Reach,
    user: { id: string; departmentId: string | null; roleIds: string[] },
    changed: { roles: boolean; department: boolean },
  ): Promise<void> {
    if (reach.superAdmin) return;
    if (changed.department && !scopeHoldsDepartment(reach.scope, user.departmentId)) {
      throw refuse(
        'You cannot place a user outside your data scope',
        'departmentId',
        user.departmentId ? 'is outside your data scope' : 'is required: no department is outside your data scope',
      );
    }
    const held = await this.access.accessWithRoles(user.id, user.roleIds, user.departmentId);
    const beyond = [...held.permissions].filter((permission) => !reach.permissions.has(permission));
    if (beyond.length) {
      throw refuse(
        'You cannot hand out roles with permissions you do not hold',
        'roleIds',
        `you do not hold ${beyond.sort().join(', ')}`,
      );
    }
    if (!scopeCovers(reach.scope, held.scope)) {
      throw refuse(
        'You cannot give a user a data scope wider than yours',
        changed.roles ? 'roleIds' : 'departmentId',
        'would give a data scope wider than yours',
      );
    }
  }

  /** Refuses to act on a role carrying a permission the caller lacks or a scope kind wider than the caller's. */
  assertRoleWithin(reach: Reach, role: { permissions: string[]; dataScope: string }): void {
    if (reach.superAdmin) return;
    const beyond = [...new Set(role.permissions.filter((permission) => !reach.permissions.has(permission)))];
    if (beyond.length) {
      throw refuse(
        'You cannot grant or take away permissions you do not hold',
        'permissions',
        `you do not hold ${beyond.sort().join(', ')}`,
      );
    }
    if (!scopeKindWithin(reach.scopeKind, role.dataScope)) {
      throw refuse(
        'You cannot act on a role that sees more than you do',
        'dataScope',
        `${role.dataScope} is wider than your own data scope (${reach.scopeKind})`,
      );
    }
  }

  /**
   * Refuses to change a role held by a user the caller could not act on (outside its scope, or a super
   * admin): a change to a role changes the access of everyone holding it, whether it grants or takes
   * away. The caller's own holding is no obstacle; a caller of scope `all` reaches every holder.
   */
  assertRoleHoldersInScope(
    reach: Reach,
    holders: Array<Pick<ReachedUser, 'id' | 'isSuperAdmin' | 'departmentId'>>,
  ): void {
    if (reach.superAdmin || reach.scopeKind === 'all') return;
    const outside = holders.filter(
      (holder) =>
        holder.id !== reach.userId && (holder.isSuperAdmin || !scopeHoldsDepartment(reach.scope, holder.departmentId)),
    );
    if (outside.length) {
      throw refuse(
        'The role is held by users outside your data scope',
        'users',
        `${outside.length} user(s) holding it are outside your data scope`,
      );
    }
  }

  /** Refuses to act on a department, or place one, outside the caller's scope; no parent (the top) only with scope `all`. */
  assertDepartmentWithin(reach: Reach, departmentId: string | null, field: string): void {
    if (reach.superAdmin || scopeHoldsDepartment(reach.scope, departmentId)) return;
    throw refuse(
      'The department is outside your data scope',
      field,
      departmentId ? 'is outside your data scope' : 'the top of the tree is outside your data scope',
    );
  }
}
