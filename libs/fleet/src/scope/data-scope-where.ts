import { Prisma } from '@fleetgate/persistence';
import type { AccessScope } from './access-scope';

/**
 * The where clauses of data scopes, one per kind of record. Every query of a caller goes through
 * one of these with the caller's AccessScope, a required argument: no route can forget the scope,
 * and only a named system scope reaches every record.
 */

/** The devices a scope reaches: those of its departments and those assigned to its user. */
export function devicesInScope(scope: AccessScope): Prisma.DeviceWhereInput {
  if (scope.kind === 'system' || scope.data.kind === 'all') return {};
  if (scope.data.kind === 'own') return { ownerId: scope.data.userId };
  return { OR: [{ departmentId: { in: scope.data.departmentIds } }, { ownerId: scope.data.userId }] };
}

/**
 * Records a user creates (tasks, artifacts, event subscriptions, scheduled jobs) belong to the
 * user and to its department: a scope reaches those of its departments and those its user created.
 */
export type CreatedRecordWhere =
  | Record<string, never>
  | { createdById: string }
  | { OR: [{ departmentId: { in: string[] } }, { createdById: string }] };

export function createdInScope(scope: AccessScope): CreatedRecordWhere {
  if (scope.kind === 'system' || scope.data.kind === 'all') return {};
  if (scope.data.kind === 'own') return { createdById: scope.data.userId };
  return { OR: [{ departmentId: { in: scope.data.departmentIds } }, { createdById: scope.data.userId }] };
}

export function tasksInScope(scope: AccessScope): Prisma.TaskWhereInput {
  return createdInScope(scope);
}

/** A task's targets are seen with the task; a scope that reaches every task adds no condition at all. */
export function targetsInScope(scope: AccessScope): Prisma.TaskTargetWhereInput {
  if (scope.kind === 'system' || scope.data.kind === 'all') return {};
  return { task: tasksInScope(scope) };
}

/**
 * The tasks a scope reaches, as a condition on a task id (`task_id`, or a parameter), for the
 * statements Prisma cannot write; `TRUE` for a scope that reaches every task.
 */
export function taskIdInScopeSql(scope: AccessScope, taskId: Prisma.Sql): Prisma.Sql {
  if (scope.kind === 'system' || scope.data.kind === 'all') return Prisma.sql`TRUE`;
  if (scope.data.kind === 'own') {
    return Prisma.sql`${taskId} IN (SELECT id FROM tasks WHERE created_by_id = ${scope.data.userId}::uuid)`;
  }
  return Prisma.sql`${taskId} IN (SELECT id FROM tasks
    WHERE department_id = ANY(${scope.data.departmentIds}::uuid[]) OR created_by_id = ${scope.data.userId}::uuid)`;
}

export function artifactsInScope(scope: AccessScope): Prisma.ArtifactWhereInput {
  return createdInScope(scope);
}

export function subscriptionsInScope(scope: AccessScope): Prisma.EventSubscriptionWhereInput {
  return createdInScope(scope);
}

/**
 * Deliveries of subscriptions the scope reaches, of events about tasks and devices it reaches: a
 * delivery keeps the department and user of its event's task or device.
 */
export function deliveriesInScope(scope: AccessScope): Prisma.EventDeliveryWhereInput {
  if (scope.kind === 'system' || scope.data.kind === 'all') return {};
  const subscription = { subscription: subscriptionsInScope(scope) };
  if (scope.data.kind === 'own') return { AND: [subscription, { ownerId: scope.data.userId }] };
  return {
    AND: [subscription, { OR: [{ departmentId: { in: scope.data.departmentIds } }, { ownerId: scope.data.userId }] }],
  };
}

/**
 * The conditions of a hand-written statement and their values, numbered as pg wants them ($1, $2, ...):
 * each value is a parameter, never text in the statement.
 */
export class SqlWhere {
  readonly values: unknown[] = [];
  private readonly conditions: string[] = [];

  /** The placeholder of a new parameter holding `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  and(condition: string): void {
    this.conditions.push(condition);
  }

  /** Every condition, ANDed; TRUE when there is none. */
  text(): string {
    return this.conditions.length ? this.conditions.map((condition) => `(${condition})`).join(' AND ') : 'TRUE';
  }
}

/** devicesInScope as SQL on the `devices` table, for the statements its repository writes by hand. */
export function devicesInScopeSql(scope: AccessScope, where: SqlWhere): void {
  if (scope.kind === 'system' || scope.data.kind === 'all') return;
  if (scope.data.kind === 'own') {
    where.and(`owner_id = ${where.add(scope.data.userId)}::uuid`);
    return;
  }
  where.and(
    `department_id = ANY(${where.add(scope.data.departmentIds)}::uuid[]) OR owner_id = ${where.add(scope.data.userId)}::uuid`,
  );
}
