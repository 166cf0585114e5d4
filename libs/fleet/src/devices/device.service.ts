import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import { UserAccessService } from '@fleetgate/auth';
import type { Device } from '@fleetgate/persistence';
import { type FieldProblem, paged, type Paged } from '@fleetgate/platform';
import { VendorAccountService } from '@fleetgate/vendors';
import { type AccessScope, departmentInScope, ownerInScope, reachesAll, systemScope } from '../scope/access-scope';
import { missingDeviceProblems } from '../tasks/task-targeting';
import { type DeviceGroupWithCount, DeviceGroupRepository } from './device-group.repository';
import { DeviceRepository } from './device.repository';
import type {
  CreateDeviceGroupDto,
  DeviceDto,
  DeviceGroupDto,
  DeviceQueryDto,
  RegisterDeviceDto,
  UpdateDeviceDto,
  UpdateDeviceGroupDto,
} from './device.dto';

export function toDeviceDto(device: Device): DeviceDto {
  return {
    id: device.id,
    vendor: device.vendor,
    accountId: device.accountId,
    vendorRef: device.vendorRef,
    name: device.name,
    status: device.status,
    model: device.model,
    attributes: device.attributes as Record<string, unknown>,
    tags: device.tags,
    groupId: device.groupId,
    departmentId: device.departmentId,
    ownerId: device.ownerId,
    lastSeenAt: device.lastSeenAt,
    syncedAt: device.syncedAt,
    createdAt: device.createdAt,
    updatedAt: device.updatedAt,
  };
}

/** A group change counts every member, in scope or not, to refuse changing a group holding devices beyond the caller's. */
const GROUP_MEMBERS_SCOPE = systemScope('a group change counts every member of the group');

/** The device inventory as users see and organise it: list, detail, names, tags and groups. */
@Injectable()
export class DeviceService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly groups: DeviceGroupRepository,
    private readonly accounts: VendorAccountService,
    private readonly access: UserAccessService,
  ) {}

  async list(query: DeviceQueryDto, scope: AccessScope): Promise<Paged<DeviceDto>> {
    const { rows, total } = await this.devices.list(scope, query, { skip: query.skip, take: query.pageSize });
    return paged(rows.map(toDeviceDto), total, query);
  }

  async get(id: string, scope: AccessScope): Promise<DeviceDto> {
    return toDeviceDto(await this.device(id, scope));
  }

  /** A registered device belongs to the registering caller's department, so that it stays in their scope. */
  async register(input: RegisterDeviceDto, scope: AccessScope): Promise<DeviceDto> {
    const account = await this.accounts.get(input.accountId);
    const device = await this.devices.create(scope, {
      vendor: account.vendor,
      accountId: account.id,
      vendorRef: input.vendorRef,
      name: input.name ?? input.vendorRef,
      tags: input.tags ?? [],
    });
    return toDeviceDto(device);
  }

  /** A caller hands a device only to departments and users within its own scope. */
  async update(id: string, input: UpdateDeviceDto, scope: AccessScope): Promise<DeviceDto> {
    const current = await this.device(id, scope);
    const problems = await this.placementProblems(current, input, scope);
    if (problems.length) {
      throw new ForbiddenError('A device can only be given to departments and users within your data scope', problems);
    }
    const device = await this.devices.update(scope, id, {
      name: input.name,
      tags: input.tags,
      groupId: input.groupId,
      departmentId: input.departmentId,
      ownerId: input.ownerId,
    });
    return toDeviceDto(device);
  }

  async remove(id: string, scope: AccessScope): Promise<void> {
    await this.device(id, scope);
    await this.devices.delete(scope, id);
  }

  /** A device the scope reaches; one outside it is not found, so that its existence does not leak. */
  private async device(id: string, scope: AccessScope): Promise<Device> {
    const device = await this.devices.find(scope, id);
    if (!device) throw new NotFoundError('Device', id);
    return device;
  }

  /**
   * The department and owner an update asks for, where they fall outside the caller's scope, or where
   * clearing them would take the device out of it: a caller cannot hide a device from its department.
   */
  private async placementProblems(
    current: Device,
    input: UpdateDeviceDto,
    scope: AccessScope,
  ): Promise<FieldProblem[]> {
    if (reachesAll(scope) || scope.kind !== 'caller') return [];
    const problems: FieldProblem[] = [];
    if (input.departmentId && !departmentInScope(scope, input.departmentId)) {
      problems.push({ field: 'departmentId', problem: 'is outside your data scope' });
    }
    if (input.ownerId && input.ownerId !== scope.userId) {
      const withinScope =
        scope.data.kind === 'departments' &&
        (await this.access.belongsToDepartments(input.ownerId, scope.data.departmentIds));
      if (!withinScope) problems.push({ field: 'ownerId', problem: 'is not a user within your data scope' });
    }
    const after = {
      departmentId: input.departmentId === undefined ? current.departmentId : input.departmentId,
      userId: input.ownerId === undefined ? current.ownerId : input.ownerId,
    };
    if (problems.length === 0 && !ownerInScope(scope, after)) {
      for (const field of ['departmentId', 'ownerId'] as const) {
        if (input[field] !== undefined)
          problems.push({ field, problem: 'would take the device out of your data scope' });
      }
    }
    return problems;
  }

  /** Of these ids, the devices the scope reaches, with their account and vendor reference, in reference order. */
  accountRefsOf(scope: AccessScope, ids: string[]): Promise<Array<{ accountId: string; vendorRef: string }>> {
    return this.devices.accountRefsOf(scope, ids);
  }

  /** The devices of an account the scope reaches among these vendor references. */
  inAccountByVendorRef(
    scope: AccessScope,
    accountId: string,
    vendorRefs: string[],
  ): Promise<Array<{ id: string; vendorRef: string }>> {
    return this.devices.statusesOf(scope, accountId, vendorRefs);
  }

  /** Groups are shared; each counts only the devices the scope reaches. */
  async listGroups(scope: AccessScope): Promise<DeviceGroupDto[]> {
    return (await this.groups.list(scope)).map(toGroupDto);
  }

  async createGroup(input: CreateDeviceGroupDto, scope: AccessScope): Promise<DeviceGroupDto> {
    return toGroupDto(await this.groups.create(scope, { name: input.name, description: input.description ?? '' }));
  }

  /** Renaming a group changes what everyone sees of its members, so it is refused as deleting it is. */
  async updateGroup(id: string, input: UpdateDeviceGroupDto, scope: AccessScope): Promise<DeviceGroupDto> {
    await this.groupExists(id);
    await this.refuseMembersOutside(id, scope, 'it keeps its name');
    return toGroupDto(await this.groups.update(scope, id, { name: input.name, description: input.description }));
  }

  /**
   * Devices of a deleted group stay, out of any group. Deleting takes every member out, so a caller
   * may delete (or rename) only a group whose members are all within its scope.
   */
  async removeGroup(id: string, scope: AccessScope): Promise<void> {
    await this.groupExists(id);
    await this.refuseMembersOutside(id, scope, 'it stays');
    await this.groups.delete(id);
  }

  /** Refuses to change a group holding any device outside the scope; `outcome` says what is kept. */
  private async refuseMembersOutside(id: string, scope: AccessScope, outcome: string): Promise<void> {
    // Members counted twice rather than with NOT: a device without department or owner is outside
    // a departments scope, and NOT over its NULL columns would not say so.
    const [members, reached] = reachesAll(scope)
      ? [0, 0]
      : await Promise.all([this.devices.countInGroup(GROUP_MEMBERS_SCOPE, id), this.devices.countInGroup(scope, id)]);
    if (members > reached) {
      throw new ForbiddenError(`Device group ${id} holds devices outside your data scope; ${outcome}`);
    }
  }

  /** Puts devices into a group (taking them out of any other); devices outside the scope are refused, none moved. */
  async addToGroup(groupId: string, deviceIds: string[], scope: AccessScope): Promise<DeviceGroupDto> {
    await this.groupExists(groupId);
    await this.refuseOutOfScope(deviceIds, scope);
    await this.devices.moveToGroup(scope, deviceIds, groupId);
    return this.group(groupId, scope);
  }

  async removeFromGroup(groupId: string, deviceIds: string[], scope: AccessScope): Promise<DeviceGroupDto> {
    await this.groupExists(groupId);
    await this.refuseOutOfScope(deviceIds, scope);
    await this.devices.takeOutOfGroup(scope, deviceIds, groupId);
    return this.group(groupId, scope);
  }

  /** Devices outside the scope are named as if they did not exist, so that their existence does not leak. */
  private async refuseOutOfScope(deviceIds: string[], scope: AccessScope): Promise<void> {
    const found = new Set(await this.devices.existingIds(scope, deviceIds));
    const problems = missingDeviceProblems(deviceIds, found).map((problem) => ({
      ...problem,
      field: problem.field.replace(/^targets\./, ''),
    }));
    if (problems.length) throw new RuleViolationError('Some devices do not exist', problems);
  }

  private async group(id: string, scope: AccessScope): Promise<DeviceGroupDto> {
    const group = await this.groups.find(scope, id);
    if (!group) throw new NotFoundError('Device group', id);
    return toGroupDto(group);
  }

  private async groupExists(id: string): Promise<void> {
    if (!(await this.groups.exists(id))) throw new NotFoundError('Device group', id);
  }
}

function toGroupDto(group: DeviceGroupWithCount): DeviceGroupDto {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    deviceCount: group._count.devices,
    createdAt: group.createdAt,
    updatedAt: group.updatedAt,
  };
}
