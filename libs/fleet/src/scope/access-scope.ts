import type { DataScope, Principal } from '@fleetgate/auth';

/**
 * What a query may reach, stated by every caller: a user's (or API key's) data scope, or the system
 * acting for no user, which must say why. Every device, task, artifact, event and scheduled-job query
 * takes one as a required argument, so that a forgotten scope does not compile, and no absent value
 * quietly means "everything".
 */
export type AccessScope = CallerScope | SystemScope;

/** A user's reach: the records of its data scope, and whom new records it creates belong to. */
export interface CallerScope {
  readonly kind: 'caller';
  readonly userId: string;
  /** The user's own department: records it creates belong to it. */
  readonly departmentId: string | null;
  readonly data: DataScope;
}

/** The system's reach (every record), for work no user asked for: sync, polling, sweeping, callbacks. */
export interface SystemScope {
  readonly kind: 'system';
  /** Why the system reaches everything here; shows in logs and reviews, and cannot be left out. */
  readonly reason: string;
}

export function systemScope(reason: string): SystemScope {
  if (!reason.trim()) throw new Error('a system scope names its reason');
  return { kind: 'system', reason };
}

/** The scope of a caller as the authentication guard established it. */
export function callerScope(principal: Pick<Principal, 'userId' | 'departmentId' | 'scope'>): CallerScope {
  return {
    kind: 'caller',
    userId: principal.userId,
    departmentId: principal.departmentId ?? null,
    data: principal.scope,
  };
}

/** Whether a scope reaches every record (the system, or a caller whose data scope is `all`). */
export function reachesAll(scope: AccessScope): boolean {
  return scope.kind === 'system' || scope.data.kind === 'all';
}

/** Who a record belongs to, for data scopes: its department and its user (owner or creator). */
export interface RecordOwner {
  departmentId: string | null;
  userId: string | null;
}

/** Whether a record with this owner falls in a scope: the in-memory twin of the where clauses. */
export function ownerInScope(scope: AccessScope, owner: RecordOwner): boolean {
  if (scope.kind === 'system' || scope.data.kind === 'all') return true;
  if (owner.userId !== null && owner.userId === scope.data.userId) return true;
  return (
    scope.data.kind === 'departments' &&
    owner.departmentId !== null &&
    scope.data.departmentIds.includes(owner.departmentId)
  );
}

/** The departments a caller may hand records to: none beyond its data scope's. */
export function departmentInScope(scope: AccessScope, departmentId: string): boolean {
  if (reachesAll(scope)) return true;
  return (
    scope.kind === 'caller' && scope.data.kind === 'departments' && scope.data.departmentIds.includes(departmentId)
  );
}
