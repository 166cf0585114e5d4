/**
 * Which devices and tasks a role's holders see: every one, their department's, their department's
 * and the departments below it, or only their own (devices assigned to them, tasks they created).
 */
export const DATA_SCOPE_KINDS = ['all', 'department_tree', 'department', 'own'] as const;
export type DataScopeKind = (typeof DATA_SCOPE_KINDS)[number];

/** A caller's resolved scope: the department ids it reaches are worked out once, at sign-in checks. */
export type DataScope =
  { kind: 'all' } | { kind: 'departments'; departmentIds: string[]; userId: string } | { kind: 'own'; userId: string };

/** A holder of several roles sees what the widest of them allows. */
export function widestScopeKind(kinds: Iterable<string>): DataScopeKind {
  let widest: DataScopeKind = 'own';
  for (const kind of kinds) {
    const rank = DATA_SCOPE_KINDS.indexOf(kind as DataScopeKind);
    if (rank >= 0 && rank < DATA_SCOPE_KINDS.indexOf(widest)) widest = kind as DataScopeKind;
  }
  return widest;
}

/** Whether a role of scope kind `kind` reaches no further than a holder of `limit` does. */
export function scopeKindWithin(limit: DataScopeKind, kind: string): boolean {
  const rank = DATA_SCOPE_KINDS.indexOf(kind as DataScopeKind);
  return rank >= 0 && rank >= DATA_SCOPE_KINDS.indexOf(limit);
}

/** Whether a department (a user's, or one being changed) lies within a scope; no department lies only within `all`. */
export function scopeHoldsDepartment(scope: DataScope, departmentId: string | null | undefined): boolean {
  if (scope.kind === 'all') return true;
  return scope.kind === 'departments' && !!departmentId && scope.departmentIds.includes(departmentId);
}

/** Whether everything `inner` reaches, `outer` reaches too. */
export function scopeCovers(outer: DataScope, inner: DataScope): boolean {
  if (outer.kind === 'all') return true;
  if (inner.kind === 'all') return false;
  if (inner.kind === 'own') return outer.kind === 'departments' || inner.userId === outer.userId;
  if (outer.kind === 'own') return false;
  const reached = new Set(outer.departmentIds);
  return inner.departmentIds.every((id) => reached.has(id));
}
