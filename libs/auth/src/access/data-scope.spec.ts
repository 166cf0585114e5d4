import { type DataScope, scopeCovers, scopeHoldsDepartment, scopeKindWithin } from './data-scope';

const all: DataScope = { kind: 'all' };
const tree: DataScope = { kind: 'departments', departmentIds: ['a', 'b'], userId: 'u1' };
const dept: DataScope = { kind: 'departments', departmentIds: ['a'], userId: 'u2' };
const other: DataScope = { kind: 'departments', departmentIds: ['x'], userId: 'u3' };
const own: DataScope = { kind: 'own', userId: 'u4' };

describe('data scope comparisons', () => {
  it('ranks scope kinds from all down to own', () => {
    expect(scopeKindWithin('all', 'all')).toBe(true);
    expect(scopeKindWithin('department_tree', 'department')).toBe(true);
    expect(scopeKindWithin('department_tree', 'department_tree')).toBe(true);
    expect(scopeKindWithin('department', 'department_tree')).toBe(false);
    expect(scopeKindWithin('own', 'department')).toBe(false);
    expect(scopeKindWithin('all', 'everything')).toBe(false);
  });

  it('holds a department only when the scope reaches it; no department only under all', () => {
    expect(scopeHoldsDepartment(all, null)).toBe(true);
    expect(scopeHoldsDepartment(tree, 'b')).toBe(true);
    expect(scopeHoldsDepartment(tree, 'x')).toBe(false);
    expect(scopeHoldsDepartment(tree, null)).toBe(false);
    expect(scopeHoldsDepartment(own, 'a')).toBe(false);
  });

  it('covers a scope only when it reaches everything the other does', () => {
    expect(scopeCovers(all, tree)).toBe(true);
    expect(scopeCovers(tree, all)).toBe(false);
    expect(scopeCovers(tree, dept)).toBe(true);
    expect(scopeCovers(dept, tree)).toBe(false);
    expect(scopeCovers(tree, other)).toBe(false);
    expect(scopeCovers(tree, own)).toBe(true);
    expect(scopeCovers(own, { kind: 'own', userId: 'u5' })).toBe(false);
    expect(scopeCovers(own, { kind: 'own', userId: 'u4' })).toBe(true);
    expect(scopeCovers(own, dept)).toBe(false);
  });
});
