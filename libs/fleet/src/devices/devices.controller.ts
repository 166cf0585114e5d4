import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
import { JobProducer, jobIdOf } from '@fleetgate/queues';
import type { CallerScope } from '../scope/access-scope';
import { CurrentAccessScope } from '../scope/caller-scope.decorator';
import { DeviceSyncService } from './device-sync.service';
import {
  CreateDeviceGroupDto,
  DEVICE_JSON_SCHEMA,
  DEVICE_PAGE_JSON_SCHEMA,
  DeviceDto,
  DeviceGroupDto,
  DeviceQueryDto,
  DeviceSyncAcceptedDto,
  DeviceSyncRequestDto,
  GroupMembershipDto,
  RegisterDeviceDto,
  UpdateDeviceDto,
  UpdateDeviceGroupDto,
} from './device.dto';
import { DeviceService } from './device.service';

/** Syncs asked for within this window share one job. */
const SYNC_DEDUPE_WINDOW_MS = 10_000;

@ApiTags('devices')
@Controller('devices')
export class DevicesController {
  constructor(
    private readonly devices: DeviceService,
    private readonly sync: DeviceSyncService,
    private readonly producer: JobProducer,
  ) {}

  @Get()
  @Authenticated({ permission: Permission.DevicesRead })
  @ApiOkResponse({ type: PagedDto(DeviceDto) })
  @ApiErrorResponses(400)
  @RouteSchema({ response: { 200: DEVICE_PAGE_JSON_SCHEMA } })
  list(@Query() query: DeviceQueryDto, @CurrentAccessScope() scope: CallerScope): Promise<Paged<DeviceDto>> {
    return this.devices.list(query, scope);
  }

  /** Registers a device by its vendor reference, for vendors without an inventory API (TikMatrix). */
  @Post()
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(400, 404, 409)
  register(@Body() body: RegisterDeviceDto, @CurrentAccessScope() scope: CallerScope): Promise<DeviceDto> {
    return this.devices.register(body, scope);
  }

  /** Reads the inventory of one account, or of every enabled account, in the background. */
  @Post('sync')
  @HttpCode(202)
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiAcceptedResponse({ type: DeviceSyncAcceptedDto })
  @ApiErrorResponses(400, 404)
  async requestSync(@Body() body: DeviceSyncRequestDto): Promise<DeviceSyncAcceptedDto> {
    const accountIds = body.accountId ? [body.accountId] : await this.sync.syncableAccountIds();
    const window = Math.floor(Date.now() / SYNC_DEDUPE_WINDOW_MS);
    for (const accountId of accountIds) {
      await this.producer.enqueue('devices.sync', { accountId }, { jobId: jobIdOf('devices.sync', accountId, window) });
    }
    return { accountIds };
  }

  @Get('groups')
  @Authenticated({ permission: Permission.DevicesRead })
  @ApiOkResponse({ type: [DeviceGroupDto] })
  listGroups(@CurrentAccessScope() scope: CallerScope): Promise<DeviceGroupDto[]> {
    return this.devices.listGroups(scope);
  }

  @Post('groups')
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(400, 409)
  createGroup(@Body() body: CreateDeviceGroupDto, @CurrentAccessScope() scope: CallerScope): Promise<DeviceGroupDto> {
    return this.devices.createGroup(body, scope);
  }

  @Patch('groups/:id')
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(400, 404, 409)
  updateGroup(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: UpdateDeviceGroupDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<DeviceGroupDto> {
    return this.devices.updateGroup(id, body, scope);
  }

  @Delete('groups/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(404)
  async removeGroup(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<void> {
    await this.devices.removeGroup(id, scope);
  }

  @Post('groups/:id/devices')
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(400, 404, 422)
  addToGroup(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: GroupMembershipDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<DeviceGroupDto> {
    return this.devices.addToGroup(id, body.deviceIds, scope);
  }

  @Delete('groups/:id/devices')
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(400, 404, 422)
  removeFromGroup(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: GroupMembershipDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<DeviceGroupDto> {
    return this.devices.removeFromGroup(id, body.deviceIds, scope);
  }

  @Get(':id')
  @Authenticated({ permission: Permission.DevicesRead })
  @ApiErrorResponses(404)
  @RouteSchema({ response: { 200: DEVICE_JSON_SCHEMA } })
  get(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<DeviceDto> {
    return this.devices.get(id, scope);
  }

  @Patch(':id')
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(400, 404)
  update(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: UpdateDeviceDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<DeviceDto> {
    return this.devices.update(id, body, scope);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(404)
  async remove(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<void> {
    await this.devices.remove(id, scope);
  }
}
