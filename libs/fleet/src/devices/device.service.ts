import { Injectable } from '@nestjs/common';
import type { DataScope } from '@fleetgate/auth';
import { type Device, type Prisma, PrismaService } from '@fleetgate/persistence';
import { ApiError, paged, type Paged } from '@fleetgate/platform';
import { VendorAccountService } from '@fleetgate/vendors';
import { devicesInScope } from '../scope/data-scope-where';
import { deviceWhere } from './device-filter';
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

/** The device inventory as users see and organise it: list, detail, names, tags and groups. */
@Injectable()
export class DeviceService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: VendorAccountService,
  ) {}

  async list(query: DeviceQueryDto, scope?: DataScope): Promise<Paged<DeviceDto>> {
    const where = { AND: [deviceWhere(query), devicesInScope(scope)] };
    const [rows, total] = await Promise.all([
      this.prisma.device.findMany({
        where,
        orderBy: [{ vendor: 'asc' }, { vendorRef: 'asc' }],
        skip: query.skip,
        take: query.pageSize,
      }),
      this.prisma.device.count({ where }),
    ]);
    return paged(rows.map(toDeviceDto), total, query);
  }

  async get(id: string, scope?: DataScope): Promise<DeviceDto> {
    return toDeviceDto(await this.device(id, scope));
  }

  async register(input: RegisterDeviceDto): Promise<DeviceDto> {
    const account = await this.accounts.get(input.accountId);
    const device = await this.prisma.device.create({
      data: {
        vendor: account.vendor,
        accountId: account.id,
        vendorRef: input.vendorRef,
        name: input.name ?? input.vendorRef,
        tags: input.tags ?? [],
      },
    });
    return toDeviceDto(device);
  }

  async update(id: string, input: UpdateDeviceDto, scope?: DataScope): Promise<DeviceDto> {
    await this.device(id, scope);
    const device = await this.prisma.device.update({
      where: { id },
      data: {
        name: input.name,
        tags: input.tags,
        groupId: input.groupId,
        departmentId: input.departmentId,
        ownerId: input.ownerId,
      },
    });
    return toDeviceDto(device);
  }

  async remove(id: string, scope?: DataScope): Promise<void> {
    await this.device(id, scope);
    await this.prisma.device.delete({ where: { id } });
  }

  /** A device the scope reaches; one outside it is not found, so that its existence does not leak. */
  private async device(id: string, scope: DataScope | undefined): Promise<Device> {
    const device = await this.prisma.device.findFirst({ where: { id, ...devicesInScope(scope) } });
    if (!device) throw ApiError.notFound('Device', id);
    return device;
  }

  async listGroups(): Promise<DeviceGroupDto[]> {
    const groups = await this.prisma.deviceGroup.findMany({
      orderBy: { name: 'asc' },
      include: { _count: { select: { devices: true } } },
    });
    return groups.map(toGroupDto);
  }

  async createGroup(input: CreateDeviceGroupDto): Promise<DeviceGroupDto> {
    const group = await this.prisma.deviceGroup.create({
      data: { name: input.name, description: input.description ?? '' },
      include: { _count: { select: { devices: true } } },
    });
    return toGroupDto(group);
  }

  async updateGroup(id: string, input: UpdateDeviceGroupDto): Promise<DeviceGroupDto> {
    const group = await this.prisma.deviceGroup.update({
      where: { id },
      data: { name: input.name, description: input.description },
      include: { _count: { select: { devices: true } } },
    });
    return toGroupDto(group);
  }

  /** Devices of a deleted group stay, out of any group. */
  async removeGroup(id: string): Promise<void> {
    await this.prisma.deviceGroup.delete({ where: { id } });
  }

  /** Puts devices into a group (taking them out of any other). */
  async addToGroup(groupId: string, deviceIds: string[]): Promise<DeviceGroupDto> {
    await this.groupExists(groupId);
    await this.prisma.device.updateMany({ where: { id: { in: deviceIds } }, data: { groupId } });
    return this.group(groupId);
  }

  async removeFromGroup(groupId: string, deviceIds: string[]): Promise<DeviceGroupDto> {
    await this.groupExists(groupId);
    await this.prisma.device.updateMany({ where: { id: { in: deviceIds }, groupId }, data: { groupId: null } });
    return this.group(groupId);
  }

  private async group(id: string): Promise<DeviceGroupDto> {
    const group = await this.prisma.deviceGroup.findUnique({
      where: { id },
      include: { _count: { select: { devices: true } } },
    });
    if (!group) throw ApiError.notFound('Device group', id);
    return toGroupDto(group);
  }

  private async groupExists(id: string): Promise<void> {
    if (!(await this.prisma.deviceGroup.findUnique({ where: { id }, select: { id: true } }))) {
      throw ApiError.notFound('Device group', id);
    }
  }
}

function toGroupDto(
  group: Prisma.DeviceGroupGetPayload<{ include: { _count: { select: { devices: true } } } }>,
): DeviceGroupDto {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    deviceCount: group._count.devices,
    createdAt: group.createdAt,
    updatedAt: group.updatedAt,
  };
}
