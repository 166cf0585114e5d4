import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type ApiKeyDto,
  ApiKeyService,
  DepartmentRepository,
  PasswordHasher,
  passwordProblems,
  type Principal,
  RoleRepository,
  SessionService,
  UserAccessService,
  type UserFilter,
  UserRepository,
  type UserViewRecord,
} from '@fleetgate/auth';
import { ConflictError, InvalidInputError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import { Transactions } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import type { CreateUserDto, UpdateUserDto, UserDto, UserQueryDto } from './user.dto';
import { AdminReach } from '../admin-reach.service';
import { exportUsers } from './user-export';
import { GradeRepository } from '../organisation/grade.repository';
import { PostRepository } from '../organisation/post.repository';

/** A user as the back office shows them: auth's row, with the grade name and posts the back office keeps. */
type UserRow = UserViewRecord & { gradeName: string | null; postIds: string[] };

function toUserDto(user: UserRow): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    phone: user.phone,
    avatarUrl: user.avatarUrl,
    enabled: user.enabled,
    superAdmin: user.isSuperAdmin,
    departmentId: user.departmentId,
    departmentName: user.department?.name ?? null,
    gradeId: user.gradeId,
    gradeName: user.gradeName,
    postIds: user.postIds,
    roles: user.roles.map(({ role }) => role),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/**
 * Users as the back office manages them. Guards against privilege escalation (AdminReach): a caller
 * changes only users within its own permissions and data scope, never gives anyone (itself included)
 * a role or department beyond them, and only a super admin changes a super admin.
 */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly users: UserRepository,
    private readonly roles: RoleRepository,
    private readonly departments: DepartmentRepository,
    private readonly posts: PostRepository,
    private readonly grades: GradeRepository,
    private readonly transactions: Transactions,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly access: UserAccessService,
    private readonly reach: AdminReach,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async list(query: UserQueryDto): Promise<Paged<UserDto>> {
    const filter: UserFilter = {
      text: query.name,
      phone: query.phone,
      roleId: query.roleId,
      departmentId: query.departmentId,
      enabled: query.enabled,
    };
    const [rows, total] = await Promise.all([
      this.users.page(filter, query.skip, query.pageSize),
      this.users.count(filter),
    ]);
    return paged((await this.withOrganisation(rows)).map(toUserDto), total, query);
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.users.findView(id);
    if (!user) throw new NotFoundError('User', id);
    const [row] = await this.withOrganisation([user]);
    return toUserDto(row);
  }

  async create(input: CreateUserDto, caller: Principal): Promise<UserDto> {
    const email = input.email.toLowerCase();
    const problems = passwordProblems(input.password, email);
    if (problems.length) throw new InvalidInputError('The password does not meet the password policy', problems);
    await this.checkLinks(input);
    await this.reach.assertUserStaysWithin(
      await this.reach.of(caller),
      // The user has no id yet; a fresh one stands for it, so that it is never taken for the caller.
      { id: randomUUID(), departmentId: input.departmentId ?? null, roleIds: input.roleIds ?? [] },
      { roles: true, department: true },
    );
    const passwordHash = await this.passwords.hash(input.password);
    const id = await this.transactions.run(async (tx) => {
      const created = await this.users.create(
        {
          email,
          name: input.name,
          passwordHash,
          phone: input.phone,
          avatarUrl: input.avatarUrl,
          departmentId: input.departmentId,
          gradeId: input.gradeId,
          enabled: input.enabled ?? true,
        },
        input.roleIds ?? [],
        tx,
      );
      await this.posts.addPostsOf(created, input.postIds ?? [], tx);
      return created;
    });
    return this.get(id);
  }

  async update(id: string, input: UpdateUserDto, caller: Principal): Promise<UserDto> {
    const user = await this.changeable(id, caller);
    const email = input.email?.toLowerCase() ?? user.email;
    if (input.password !== undefined) {
      const problems = passwordProblems(input.password, email);
      if (problems.length) throw new InvalidInputError('The password does not meet the password policy', problems);
    }
    await this.checkLinks(input);
    if (input.roleIds || input.departmentId !== undefined) {
      await this.reach.assertUserStaysWithin(
        await this.reach.of(caller),
        {
          id,
          departmentId: input.departmentId === undefined ? user.departmentId : input.departmentId,
          roleIds: input.roleIds ?? user.roleIds,
        },
        { roles: input.roleIds !== undefined, department: input.departmentId !== undefined },
      );
    }
    // Hashed before the transaction opens, so that it holds no connection while the hash is worked out.
    const password =
      input.password === undefined
        ? {}
        : { passwordHash: await this.passwords.hash(input.password), passwordChangedAt: new Date() };
    await this.transactions.run(async (tx) => {
      await this.users.update(
        id,
        {
          email: input.email === undefined ? undefined : email,
          name: input.name,
          phone: input.phone,
          avatarUrl: input.avatarUrl,
          departmentId: input.departmentId,
          gradeId: input.gradeId,
          ...password,
        },
        tx,
      );
      if (input.postIds) await this.posts.replacePostsOf(id, input.postIds, tx);
      if (input.roleIds) await this.roles.replaceRolesOf(id, input.roleIds, tx);
    });
    if (input.password !== undefined) await this.sessions.endAllAccess(id);
    else await this.sessions.userChanged();
    if (input.roleIds || input.departmentId !== undefined) await this.access.refresh();
    return this.get(id);
  }

  async setEnabled(id: string, enabled: boolean, caller: Principal): Promise<UserDto> {
    await this.changeable(id, caller);
    if (!enabled && id === caller.userId) {
      throw new ConflictError('You cannot disable yourself', [{ field: 'id', problem: 'is your own account' }]);
    }
    await this.users.update(id, { enabled });
    if (!enabled) await this.sessions.endAllAccess(id);
    else await this.sessions.userChanged();
    return this.get(id);
  }

  /** Ends every session of the user at once; they must sign in again. */
  async forceOffline(id: string, caller: Principal): Promise<void> {
    await this.changeable(id, caller);
    await this.sessions.endAllAccess(id);
  }

  /** The user's API keys, newest first (never the keys themselves). */
  async apiKeysOf(id: string, caller: Principal): Promise<ApiKeyDto[]> {
    await this.inScope(id, caller);
    return this.apiKeys.list(id);
  }

  /** Revokes every live API key of the user at once; their sessions go on. */
  async revokeApiKeys(id: string, caller: Principal): Promise<number> {
    await this.inScope(id, caller);
    return this.apiKeys.revokeAllOf(id);
  }

  async export(ids: string[], format: 'csv' | 'xlsx'): Promise<Buffer> {
    const rows = await this.users.findViews(ids);
    if (rows.length !== ids.length) {
      const found = new Set(rows.map((row) => row.id));
      throw new RuleViolationError(
        'Some users do not exist',
        ids
          .filter((id) => !found.has(id))
          .slice(0, 100)
          .map((id) => ({ field: `ids.${id}`, problem: 'no such user' })),
      );
    }
    return exportUsers((await this.withOrganisation(rows)).map(toUserDto), format);
  }

  /** Adds to auth's user rows the grade names and posts the back office keeps for them. */
  private async withOrganisation(users: UserViewRecord[]): Promise<UserRow[]> {
    if (!users.length) return [];
    const gradeIds = [...new Set(users.flatMap((user) => (user.gradeId ? [user.gradeId] : [])))];
    const [gradeNames, postIds] = await Promise.all([
      gradeIds.length ? this.grades.namesOf(gradeIds) : new Map<string, string>(),
      this.posts.postIdsOf(users.map((user) => user.id)),
    ]);
    return users.map((user) => ({
      ...user,
      gradeName: user.gradeId ? (gradeNames.get(user.gradeId) ?? null) : null,
      postIds: postIds.get(user.id) ?? [],
    }));
  }

  /** Refuses a user outside the caller's scope (see AdminReach); for what only takes access away. */
  private async inScope(id: string, caller: Principal): Promise<void> {
    const user = await this.users.find(id);
    if (!user) throw new NotFoundError('User', id);
    this.reach.assertUserInScope(await this.reach.of(caller), user);
  }

  /** The user, when the caller may act on them at all (see AdminReach). */
  private async changeable(id: string, caller: Principal) {
    const user = await this.users.findWithRoleIds(id);
    if (!user) throw new NotFoundError('User', id);
    const roleIds = user.roles.map(({ roleId }) => roleId);
    await this.reach.assertUserWithin(await this.reach.of(caller), {
      id,
      isSuperAdmin: user.isSuperAdmin,
      departmentId: user.departmentId,
      roleIds,
    });
    return { ...user, roleIds };
  }

  /** Department, grade, posts and roles must exist. */
  private async checkLinks(input: UpdateUserDto): Promise<void> {
    const [department, grade, posts, roles] = await Promise.all([
      input.departmentId ? this.departments.countOf(input.departmentId) : 1,
      input.gradeId ? this.grades.countOf(input.gradeId) : 1,
      input.postIds ? this.posts.countExisting(input.postIds) : 0,
      input.roleIds ? this.roles.countExisting(input.roleIds) : 0,
    ]);
    const problems = [
      ...(department ? [] : [{ field: 'departmentId', problem: 'no such department' }]),
      ...(grade ? [] : [{ field: 'gradeId', problem: 'no such grade' }]),
      ...(input.postIds && posts !== input.postIds.length
        ? [{ field: 'postIds', problem: 'names a post that does not exist' }]
        : []),
      ...(input.roleIds && roles !== input.roleIds.length
        ? [{ field: 'roleIds', problem: 'names a role that does not exist' }]
        : []),
    ];
    if (problems.length) throw new RuleViolationError('Some references do not exist', problems);
  }
}
