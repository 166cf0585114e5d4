import { InvalidInputError } from '@fleetgate/domain';
import type { Prisma } from '@fleetgate/persistence';
import type { FieldProblem } from '@fleetgate/platform';

import { deviceWhere } from '../devices/device-filter';
import type { TaskTargetsDto } from './task.dto';

/** Targets per dispatch job: vendors batch within it (ArmCloud 100 pads a request). */
export const DISPATCH_BATCH_SIZE = 100;

/** The one `where` for a target selection; refuses none or several ways of choosing. */
export function targetWhere(targets: TaskTargetsDto): Prisma.DeviceWhereInput {
  const given = (['deviceIds', 'groupId', 'filter', 'accountId'] as const).filter((key) => targets[key] !== undefined);
  if (given.length !== 1) {
    throw new InvalidInputError('Choose the devices one way', [
      { field: 'targets', problem: 'must have exactly one of deviceIds, groupId, filter or accountId' },
    ]);
  }
  if (targets.deviceIds) return { id: { in: [...new Set(targets.deviceIds)] } };
  if (targets.groupId) return { groupId: targets.groupId };
  if (targets.accountId) return { accountId: targets.accountId };
  return deviceWhere(targets.filter!);
}

/** Device ids asked for by id that do not exist, as field problems. */
export function missingDeviceProblems(asked: string[], found: ReadonlySet<string>): FieldProblem[] {
  return asked
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => !found.has(id))
    .slice(0, 100)
    .map(({ id, index }) => ({ field: `targets.deviceIds[${index}]`, problem: `device ${id} does not exist` }));
}

/**
 * A dispatch delay per batch that keeps to `targetsPerMinute` over the whole task: batch n of an
 * account starts once the targets before it (across accounts, in order) fit within the pace.
 */
export function rolloutDelayMs(targetsBefore: number, targetsPerMinute: number | undefined): number {
  if (!targetsPerMinute) return 0;
  return Math.floor((targetsBefore / targetsPerMinute) * 60_000);
}
