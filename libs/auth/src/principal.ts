import type { DataScope } from './access/data-scope';
import type { Permission } from './permissions';

/** Who is calling: a signed-in user (access token) or a machine client (API key). */
export interface Principal {
  kind: 'user' | 'api-key';
  userId: string;
  email: string;
  /** The session behind an access token; absent for API keys. */
  sessionId?: string;
  apiKeyId?: string;
  /** Every permission when true. */
  superAdmin: boolean;
  permissions: ReadonlySet<Permission | string>;
  /** The caller's department, which the tasks it creates belong to. */
  departmentId?: string;
  /** Which devices and tasks the caller sees. */
  scope: DataScope;
}

export function holds(principal: Principal, permission: string): boolean {
  return principal.superAdmin || principal.permissions.has(permission);
}
