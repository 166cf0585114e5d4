import { Injectable } from '@nestjs/common';

/**
 * Where a user's permissions come from. The admin back office replaces this provider with one that
 * reads the user's roles; until then only super admins hold permissions.
 */
@Injectable()
export class UserPermissionSource {
  async permissionsOf(_userId: string): Promise<ReadonlySet<string>> {
    return new Set();
  }
}
