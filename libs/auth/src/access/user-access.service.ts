import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { type RedisClient, RedisConnections } from '@fleetgate/redis';
import { type DataScope, type DataScopeKind, widestScopeKind } from './data-scope';
import { departmentSubtreeIds } from './department-subtree';

export interface UserAccess {
  permissions: ReadonlySet<string>;
  scope: DataScope;
  /** The kind of that scope as it applies: a department kind without a department is `own`. */
  scopeKind: DataScopeKind;
  /** The user's own department: new tasks belong to it. */
  departmentId?: string;
}

interface RoleAccess {
  dataScope: string;
  permissions: Array<{ permission: string }>;
}

/** Every request reads a user's access; a short cache keeps that off the database. */
const ACCESS_CACHE_MS = 30_000;

/**
 * What a user may do (the permissions of their enabled roles) and see (the widest data scope of those
 * roles). Cached per process; a change to roles, grants, departments or a user's roles calls refresh(),
 * which clears the cache of every gateway and worker at once over Redis pub/sub.
 */
@Injectable()
export class UserAccessService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UserAccessService.name);
  private readonly cache = new Map<string, { at: number; access: Promise<UserAccess> }>();
  private readonly channel: string;
  private subscriber?: RedisClient;

  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisConnections,
  ) {
    this.channel = redis.key('access', 'refresh');
  }

  onModuleInit(): void {
    this.subscriber = this.redis.dedicated('access-refresh-subscriber', { maxRetriesPerRequest: null });
    this.subscriber.on('error', (error) => this.logger.warn({ err: error.message }, 'access refresh channel'));
    this.subscriber.on('message', () => this.cache.clear());
    void this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  onModuleDestroy(): void {
    // disconnect, not quit: quit waits for a connection that may never come when Redis is down.
    this.subscriber?.disconnect();
  }

  accessOf(userId: string): Promise<UserAccess> {
    const cached = this.cache.get(userId);
    if (cached && Date.now() - cached.at < ACCESS_CACHE_MS) return cached.access;
    const access = this.load(userId);
    this.cache.set(userId, { at: Date.now(), access });
    access.catch(() => this.cache.delete(userId));
    return access;
  }

  /** Forgets every cached access, here and in every other process. */
  async refresh(): Promise<void> {
    this.cache.clear();
    try {
      await this.redis.commands.publish(this.channel, 'refresh');
    } catch (error) {
      // Other processes then see the change when their cache entries expire (ACCESS_CACHE_MS).
      this.logger.warn({ err: (error as Error).message }, 'could not tell other processes to refresh access');
    }
  }

  /** What a user may do and see right now, read from the database past the cache (for decisions about access itself). */
  currentAccessOf(userId: string): Promise<UserAccess> {
    return this.load(userId);
  }

  /**
   * What a user would hold and see with these roles (enabled or not, since a disabled role can be
   * enabled again) in this department. A user not created yet has no id: pass any.
   */
  async accessWithRoles(userId: string, roleIds: string[], departmentId: string | null): Promise<UserAccess> {
    const roles = await this.prisma.role.findMany({
      where: { id: { in: roleIds } },
      select: { dataScope: true, permissions: { select: { permission: true } } },
    });
    return this.accessOfRoles(userId, roles, departmentId);
  }

  /** Whether the user belongs to one of these departments: a caller hands records only to users within its scope. */
  async userInDepartments(userId: string, departmentIds: string[]): Promise<boolean> {
    const user = await this.prisma.user.findFirst({
      where: { id: userId, departmentId: { in: departmentIds } },
      select: { id: true },
    });
    return user !== null;
  }

  private async load(userId: string): Promise<UserAccess> {
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      select: {
        departmentId: true,
        roles: {
          where: { role: { enabled: true } },
          select: { role: { select: { dataScope: true, permissions: { select: { permission: true } } } } },
        },
      },
    });
    if (!user) return { permissions: new Set(), scope: { kind: 'own', userId }, scopeKind: 'own' };
    return this.accessOfRoles(
      userId,
      user.roles.map(({ role }) => role),
      user.departmentId,
    );
  }

  private async accessOfRoles(userId: string, roles: RoleAccess[], departmentId: string | null): Promise<UserAccess> {
    const permissions = new Set(roles.flatMap((role) => role.permissions.map(({ permission }) => permission)));
    const kind = widestScopeKind(roles.map((role) => role.dataScope));
    const scopeKind = kind === 'all' || departmentId ? kind : 'own';
    return {
      permissions,
      scope: await this.scopeOf(scopeKind, userId, departmentId),
      scopeKind,
      departmentId: departmentId ?? undefined,
    };
  }

  private async scopeOf(kind: string, userId: string, departmentId: string | null): Promise<DataScope> {
    if (kind === 'all') return { kind: 'all' };
    if (kind === 'own' || !departmentId) return { kind: 'own', userId };
    if (kind === 'department') return { kind: 'departments', departmentIds: [departmentId], userId };
    return { kind: 'departments', departmentIds: await departmentSubtreeIds(this.prisma, departmentId), userId };
  }
}
