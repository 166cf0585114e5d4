import { Injectable } from '@nestjs/common';
import { InvalidInputError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import type { Db, Prisma } from '@fleetgate/persistence';
import type { FieldProblem } from '@fleetgate/platform';
import { VendorAccountService, VendorRegistry } from '@fleetgate/vendors';
import { deviceWhere } from '../devices/device-filter';
import { DeviceGroupRepository } from '../devices/device-group.repository';
import { DeviceRepository, type TargetDevice } from '../devices/device.repository';
import type { DataScope } from '@fleetgate/auth';
import type { AccessScope } from '../scope/access-scope';
import type { TaskTargetsDto } from './task.dto';

/** Targets per dispatch job: vendors batch within it (ArmCloud 100 pads a request). */
export const DISPATCH_BATCH_SIZE = 100;

/** Vendors that run scripts for accounts named by username (TikMatrix usernames mode). */
const USERNAME_VENDORS: ReadonlySet<string> = new Set(['tikmatrix']);

/** A task's target selection, checked: its devices, how many, and the accounts and vendors they are in. */
export interface TargetSelection {
  where: Prisma.DeviceWhereInput;
  total: number;
  groups: Array<{ accountId: string; vendor: string }>;
}

/**
 * A selection as a task was accepted with, kept on the task for the worker that writes its targets
 * after the 202: the caller's data scope, and the vendor accounts its devices were checked in.
 */
export interface AcceptedSelection {
  scope: AccessScope;
  accountIds: string[];
}

/**
 * A stored AcceptedSelection, checked field by field before it selects anything: Prisma leaves a
 * condition whose list is undefined (department ids, account ids) out of the where clause instead of
 * matching nothing. Undefined for any other shape (a row edited by hand, a version that kept another).
 */
export function readAcceptedSelection(json: unknown): AcceptedSelection | undefined {
  if (!isRecord(json) || !isStringArray(json.accountIds) || json.accountIds.length === 0) return undefined;
  const scope = json.scope;
  if (!isRecord(scope)) return undefined;
  if (scope.kind === 'system') {
    return typeof scope.reason === 'string' && scope.reason.trim()
      ? { scope: { kind: 'system', reason: scope.reason }, accountIds: json.accountIds }
      : undefined;
  }
  if (scope.kind !== 'caller' || typeof scope.userId !== 'string') return undefined;
  if (scope.departmentId !== null && typeof scope.departmentId !== 'string') return undefined;
  const data = scope.data;
  if (!isRecord(data)) return undefined;
  let checked: DataScope;
  if (data.kind === 'all') checked = { kind: 'all' };
  else if (data.kind === 'own' && typeof data.userId === 'string') checked = { kind: 'own', userId: data.userId };
  else if (data.kind === 'departments' && typeof data.userId === 'string' && isStringArray(data.departmentIds)) {
    checked = { kind: 'departments', departmentIds: data.departmentIds, userId: data.userId };
  } else return undefined;
  return {
    scope: { kind: 'caller', userId: scope.userId, departmentId: scope.departmentId, data: checked },
    accountIds: json.accountIds,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** What a task's target rows are made of: a device, or a vendor-side account with no device (id null). */
export interface TargetUnit {
  id: string | null;
  vendor: string;
  accountId: string;
  vendorRef: string;
}

/**
 * Chooses a task's targets: the devices its targets select within a scope, checked before anything
 * is written, and read a page at a time when the targets are.
 */
@Injectable()
export class TaskTargeting {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly deviceGroups: DeviceGroupRepository,
    private readonly registry: VendorRegistry,
    private readonly accounts: VendorAccountService,
    private readonly config: FleetgateConfig,
  ) {}

  /**
   * The devices a task's targets select, among those the scope reaches, checked without reading
   * them all: each exists, there are some and no more than TASK_MAX_TARGETS, their vendors support
   * the operation and their accounts are enabled.
   */
  async resolve(targets: TaskTargetsDto, scope: AccessScope, type: string): Promise<TargetSelection> {
    const where = targetWhere(targets);
    if (targets.groupId && !(await this.deviceGroups.exists(targets.groupId))) {
      throw new NotFoundError('Device group', targets.groupId);
    }
    if (targets.accountId) await this.accounts.get(targets.accountId);
    if (targets.deviceIds) {
      const found = new Set(await this.devices.ids(scope, where));
      const problems = missingDeviceProblems(targets.deviceIds, found);
      if (problems.length) throw new RuleViolationError('Some target devices do not exist', problems);
    }
    const groups = await this.devices.countsByAccount(scope, where);
    const total = groups.reduce((sum, group) => sum + group.count, 0);
    if (total === 0) {
      throw new RuleViolationError('No device matches the targets', [
        { field: 'targets', problem: 'selects no device' },
      ]);
    }
    const max = this.config.TASK_MAX_TARGETS;
    if (total > max) {
      throw new RuleViolationError('The targets select too many devices', [
        {
          field: `targets.${selectionField(targets)}`,
          problem: `selects ${total} devices; a task may target at most ${max}`,
        },
      ]);
    }
    await this.refuseUnsupported(scope, where, [...new Set(groups.map((group) => group.vendor))], type);
    await this.refuseDisabledAccounts([...new Set(groups.map((group) => group.accountId))]);
    return { where, total, groups: groups.map(({ accountId, vendor }) => ({ accountId, vendor })) };
  }

  /**
   * The selection a task accepted at `acceptedAt` writes its targets from: the devices its targets
   * selected then (created by then) that are still there and in the scope, in the accounts checked.
   */
  writtenSelection(
    targets: TaskTargetsDto,
    accepted: AcceptedSelection,
    acceptedAt: Date,
  ): Pick<TargetSelection, 'where'> {
    return {
      where: {
        AND: [targetWhere(targets), { createdAt: { lte: acceptedAt } }, { accountId: { in: accepted.accountIds } }],
      },
    };
  }

  /** The ids of the devices the targets select within the scope, in id order. */
  deviceIds(targets: TaskTargetsDto, scope: AccessScope): Promise<string[]> {
    return this.devices.idsInOrder(scope, targetWhere(targets));
  }

  /** The selected devices, `pageSize` at a time in (account, vendor ref) order. */
  devicePages(
    scope: AccessScope,
    selection: Pick<TargetSelection, 'where'>,
    pageSize: number,
    db: Db,
  ): AsyncIterable<TargetDevice[]> {
    return this.devices.pages(scope, selection.where, pageSize, db);
  }

  /** A task runs whole or not at all: targets whose vendor lacks the operation are listed and refused. */
  private async refuseUnsupported(
    scope: AccessScope,
    where: Prisma.DeviceWhereInput,
    vendors: string[],
    type: string,
  ): Promise<void> {
    const lacking = vendors.filter((vendor) => !this.registry.definition(vendor)?.capabilities.has(type as never));
    if (lacking.length === 0) return;
    const refused = await this.devices.ofVendors(scope, where, lacking, 100);
    throw new RuleViolationError(
      `${refused.count} target(s) cannot run ${type}`,
      refused.sample.map((device) => ({
        field: `targets.${device.id}`,
        problem: `${device.vendor} device ${device.vendorRef} does not support ${type}`,
      })),
    );
  }

  private async refuseDisabledAccounts(accountIds: string[]): Promise<void> {
    const disabled = await this.accounts.disabledAmong(accountIds);
    if (disabled.length > 0) {
      throw new RuleViolationError(
        'Some targets belong to disabled vendor accounts',
        disabled.map((account) => ({
          field: `targets.account.${account.id}`,
          problem: `${account.vendor} account ${account.name} is disabled`,
        })),
      );
    }
  }
}

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

/** The one way of choosing devices a request used, named as its field. */
function selectionField(targets: TaskTargetsDto): string {
  return (['deviceIds', 'groupId', 'filter', 'accountId'] as const).find((key) => targets[key] !== undefined)!;
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
 * Usernames mode: the vendor runs the script for each named account on whichever device holds it, so
 * each username is a target of its own (no device), in the one account the target devices belong to
 * (which also puts the farm in the caller's data scope); each batch then sends its own usernames.
 */
export function usernameTargets(
  groups: Array<{ accountId: string; vendor: string }>,
  usernames: string[],
): TargetUnit[] {
  const field = 'operation.params.usernames';
  const others = [...new Set(groups.map((group) => group.vendor))].filter((vendor) => !USERNAME_VENDORS.has(vendor));
  if (others.length > 0) {
    throw new RuleViolationError('Only TikMatrix runs scripts for usernames', [
      { field, problem: `the targets include ${others.join(', ')} devices, which cannot run scripts by username` },
    ]);
  }
  const accountIds = [...new Set(groups.map((group) => group.accountId))];
  if (accountIds.length !== 1) {
    throw new RuleViolationError('Usernames belong to one TikMatrix farm', [
      { field, problem: 'the targets must be devices of one vendor account' },
    ]);
  }
  return [...new Set(usernames)]
    .sort()
    .map((vendorRef) => ({ id: null, vendor: groups[0].vendor, accountId: accountIds[0], vendorRef }));
}

/**
 * A dispatch delay per batch that keeps to `targetsPerMinute` over the whole task: batch n of an
 * account starts once the targets before it (across accounts, in order) fit within the pace.
 */
export function rolloutDelayMs(targetsBefore: number, targetsPerMinute: number | undefined): number {
  if (!targetsPerMinute) return 0;
  return Math.floor((targetsBefore / targetsPerMinute) * 60_000);
}
