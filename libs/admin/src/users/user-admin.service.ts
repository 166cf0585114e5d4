import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type ApiKeyDto,
  ApiKeyService,
  PasswordHasher,
  passwordProblems,
  type Principal,
  SessionService,
  UserAccessService,
} from '@fleetgate/auth';
import { ConflictError, InvalidInputError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import { type Prisma, PrismaService } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import type { CreateUserDto, UpdateUserDto, UserDto, UserQueryDto } from './user.dto';
import { AdminReach } from '../admin-reach.service';
import { exportUsers } from './user-export';

const USER_INCLUDE = {
  department: { select: { name: true } },
  grade: { select: { name: true } },
  posts: { select: { postId: true } },
  roles: { select: { role: { select: { id: true, code: true, name: true } } } },
} satisfies Prisma.UserInclude;

type UserRow = Prisma.UserGetPayload<{ include: typeof USER_INCLUDE }>;

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
    gradeName: user.grade?.name ?? null,
    postIds: user.posts.map(({ postId }) => postId),
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
    private readonly prisma: PrismaService,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly access: UserAccessService,
    private readonly reach: AdminReach,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async list(query: UserQueryDto): Promise<Paged<UserDto>> {
    const where: Prisma.UserWhereInput = {
      ...(query.name
        ? {
            OR: [
              { name: { contains: query.name, mode: 'insensitive' } },
              { email: { contains: query.name, mode: 'insensitive' } },
            ],
          }
        : {}),
      ...(query.phone ? { phone: { contains: query.phone } } : {}),
      ...(query.roleId ? { roles: { some: { roleId: query.roleId } } } : {}),
      ...(query.departmentId ? { departmentId: query.departmentId } : {}),
      ...(query.enabled !== undefined ? { enabled: query.enabled } : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.user.findMany({
        where,
        include: USER_INCLUDE,
        orderBy: { email: 'asc' },
        skip: query.skip,
        take: query.pageSize,
      }),
      this.prisma.user.count({ where }),
    ]);
    return paged(rows.map(toUserDto), total, query);
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.prisma.user.findUnique({ where: { id }, include: USER_INCLUDE });
    if (!user) throw new NotFoundError('User', id);
    return toUserDto(user);
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
    const user = await this.prisma.user.create({
      data: {
        email,
        name: input.name,
        passwordHash: await this.passwords.hash(input.password),
        phone: input.phone,
        avatarUrl: input.avatarUrl,
        departmentId: input.departmentId,
        gradeId: input.gradeId,
        enabled: input.enabled ?? true,
        posts: { create: (input.postIds ?? []).map((postId) => ({ postId })) },
        roles: { create: (input.roleIds ?? []).map((roleId) => ({ roleId })) },
      },
    });
    return this.get(user.id);
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
    await this.prisma.$transaction(async (tx) => {
      await tx.user.update({
        where: { id },
        data: {
          email: input.email === undefined ? undefined : email,
          name: input.name,
          phone: input.phone,
          avatarUrl: input.avatarUrl,
          departmentId: input.departmentId,
          gradeId: input.gradeId,
          ...(input.password === undefined
            ? {}
            : { passwordHash: await this.passwords.hash(input.password), passwordChangedAt: new Date() }),
        },
      });
      if (input.postIds) {
        await tx.userPost.deleteMany({ where: { userId: id } });
        await tx.userPost.createMany({ data: input.postIds.map((postId) => ({ userId: id, postId })) });
      }
      if (input.roleIds) {
        await tx.userRole.deleteMany({ where: { userId: id } });
        await tx.userRole.createMany({ data: input.roleIds.map((roleId) => ({ userId: id, roleId })) });
      }
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
    await this.prisma.user.update({ where: { id }, data: { enabled } });
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
    const rows = await this.prisma.user.findMany({
      where: { id: { in: ids } },
      include: USER_INCLUDE,
      orderBy: { email: 'asc' },
    });
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
    return exportUsers(rows.map(toUserDto), format);
  }

  /** Refuses a user outside the caller's scope (see AdminReach); for what only takes access away. */
  private async inScope(id: string, caller: Principal): Promise<void> {
    const user = await this.prisma.user.findUnique({ where: { id } });
    if (!user) throw new NotFoundError('User', id);
    this.reach.assertUserInScope(await this.reach.of(caller), user);
  }

  /** The user, when the caller may act on them at all (see AdminReach). */
  private async changeable(id: string, caller: Principal) {
    const user = await this.prisma.user.findUnique({ where: { id }, include: { roles: { select: { roleId: true } } } });
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
      input.departmentId ? this.prisma.department.count({ where: { id: input.departmentId } }) : 1,
      input.gradeId ? this.prisma.grade.count({ where: { id: input.gradeId } }) : 1,
      input.postIds ? this.prisma.post.count({ where: { id: { in: input.postIds } } }) : 0,
      input.roleIds ? this.prisma.role.count({ where: { id: { in: input.roleIds } } }) : 0,
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
