import { Prisma } from '@fleetgate/persistence';
import { callerScope, systemScope } from '../scope/access-scope';
import { taskIdInScopeSql, targetsInScope } from '../scope/data-scope-where';
import type { TaskTargetRepository } from './task-target.repository';
import type { TaskRepository } from './task.repository';

/**
 * Never called: it only has to compile. Each line reads or writes tasks or targets without a scope
 * (or with one too narrow for it), and each must be a type error (ts-jest type-checks this file, and
 * `npm run lint` runs tsc over it): a directive that is not needed fails the build.
 */
export function repositoryCallsWithoutScope(repositories: {
  tasks: TaskRepository;
  targets: TaskTargetRepository;
}): void {
  const { tasks, targets } = repositories;
  const batch = { taskId: 't', accountId: 'a', batch: 0 };
  const caller = callerScope({ userId: 'u1', scope: { kind: 'all' } });
  // @ts-expect-error reading a task needs a scope
  void tasks.find('id');
  // @ts-expect-error listing tasks needs a scope
  void tasks.page({}, 0, 20);
  // @ts-expect-error stopping a task needs a scope
  void tasks.markStopped('id', 'cancelled', new Date());
  // @ts-expect-error a task's status changes within a scope
  void tasks.changeStatus('id', 'running', null);
  // @ts-expect-error reading targets needs a scope
  void targets.list('task', 0, 20);
  // @ts-expect-error counting targets needs a scope
  void targets.countsByTask(['task']);
  // @ts-expect-error claiming targets needs a scope
  void targets.claim(batch, 60);
  // @ts-expect-error cancelling targets needs a scope
  void targets.cancelPending('task', { code: 'c', message: 'm' }, new Date());
  // @ts-expect-error writing targets needs a scope
  void targets.insert({ id: 't', createdAt: new Date() }, []);
  // @ts-expect-error only the system reads the batches owed across every task
  void targets.owedBatches(caller, batch, 10);
  // @ts-expect-error whom a task belongs to is read within a scope
  void tasks.ownerOf('task');
}

describe('target scopes', () => {
  const own = callerScope({ userId: 'u1', scope: { kind: 'own', userId: 'u1' } });

  it('adds no condition for a scope that reaches every task', () => {
    expect(targetsInScope(systemScope('sweeper'))).toEqual({});
    expect(targetsInScope(callerScope({ userId: 'u1', scope: { kind: 'all' } }))).toEqual({});
    expect(taskIdInScopeSql(systemScope('dispatch'), Prisma.sql`task_id`).sql).toBe('TRUE');
  });

  it('keeps a caller to the targets of its tasks', () => {
    expect(targetsInScope(own)).toEqual({ task: { createdById: 'u1' } });
    const sql = taskIdInScopeSql(own, Prisma.sql`task_id`);
    expect(sql.sql).toContain('task_id IN (SELECT id FROM tasks WHERE created_by_id = ');
    expect(sql.values).toEqual(['u1']);
  });
});
