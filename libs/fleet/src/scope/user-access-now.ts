import { Injectable } from '@nestjs/common';
import { UserAccessService } from '@fleetgate/auth';
import type { CallerScope } from './access-scope';

/** A user's current access, or why the user has none. */
export type AccessNow =
  { granted: true; scope: CallerScope; holds(permission: string): boolean } | { granted: false; reason: string };

/**
 * What a user may do and reach at this moment, for work done on their behalf after their request
 * ended: a scheduled job's fires, a subscription's deliveries. A deleted or disabled user has no
 * access; roles, grants and departments are read as they currently stand (UserAccessService, whose cache
 * every change clears in every process).
 */
@Injectable()
export class UserAccessNow {
  constructor(private readonly access: UserAccessService) {}

  async of(userId: string | null): Promise<AccessNow> {
    if (!userId) return { granted: false, reason: 'it has no creator to act for' };
    const user = await this.access.standingOf(userId);
    if (!user) return { granted: false, reason: `its creator ${userId} was deleted` };
    if (!user.enabled) return { granted: false, reason: `its creator ${userId} is disabled` };
    if (user.isSuperAdmin) {
      return {
        granted: true,
        scope: { kind: 'caller', userId, departmentId: user.departmentId, data: { kind: 'all' } },
        holds: () => true,
      };
    }
    const access = await this.access.accessOf(userId);
    return {
      granted: true,
      scope: { kind: 'caller', userId, departmentId: access.departmentId ?? null, data: access.scope },
      holds: (permission) => access.permissions.has(permission),
    };
  }
}
