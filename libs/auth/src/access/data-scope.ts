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
