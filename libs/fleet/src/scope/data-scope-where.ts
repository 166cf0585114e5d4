import type { DataScope } from '@fleetgate/auth';
import type { Prisma } from '@fleetgate/persistence';

/**
 * The devices a caller's data scope reaches: those of its departments and those assigned to it.
 * Every device query of a caller goes through this, so that no route forgets the scope.
 */
export function devicesInScope(scope: DataScope | undefined): Prisma.DeviceWhereInput {
  if (!scope || scope.kind === 'all') return {};
  if (scope.kind === 'own') return { ownerId: scope.userId };
  return { OR: [{ departmentId: { in: scope.departmentIds } }, { ownerId: scope.userId }] };
}

/** The tasks a caller's data scope reaches: those of its departments and those it created. */
export function tasksInScope(scope: DataScope | undefined): Prisma.TaskWhereInput {
  if (!scope || scope.kind === 'all') return {};
  if (scope.kind === 'own') return { createdById: scope.userId };
  return { OR: [{ departmentId: { in: scope.departmentIds } }, { createdById: scope.userId }] };
}
