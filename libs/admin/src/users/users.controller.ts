import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  ApiKeyDto,
  Authenticated,
  CurrentPrincipal,
  Permission,
  type Principal,
  RevokedApiKeysDto,
} from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
import { CreateUserDto, ExportUsersDto, UpdateUserDto, UserDto, UserQueryDto } from './user.dto';
import { UserAdminService } from './user-admin.service';

const EXPORT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

@ApiTags('admin: users')
@Controller('admin/users')
export class UsersController {
  constructor(private readonly users: UserAdminService) {}

  @Get()
  @Authenticated({ permission: Permission.UsersRead })
  @ApiOkResponse({ type: PagedDto(UserDto) })
  @ApiErrorResponses(400)
  list(@Query() query: UserQueryDto): Promise<Paged<UserDto>> {
    return this.users.list(query);
  }

  @Post()
  @Authenticated({ permission: Permission.UsersManage })
  @ApiErrorResponses(400, 409, 422)
  create(@Body() body: CreateUserDto, @CurrentPrincipal() caller: Principal): Promise<UserDto> {
    return this.users.create(body, caller);
  }

  /** The chosen users as a CSV or XLSX file (no password hashes, no secrets). */
  @Post('export')
  @HttpCode(200)
  @Authenticated({ permission: Permission.UsersRead })
  @ApiProduces(EXPORT_TYPES.csv, EXPORT_TYPES.xlsx)
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' } })
  @ApiErrorResponses(400, 422)
  async export(@Body() body: ExportUsersDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const file = await this.users.export(body.ids, body.format);
    reply.header('content-type', EXPORT_TYPES[body.format]);
    reply.header('content-disposition', `attachment; filename="users.${body.format}"`);
    return file;
  }

  @Get(':id')
  @Authenticated({ permission: Permission.UsersRead })
  @ApiErrorResponses(404)
  get(@Param('id', new UuidParamPipe()) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @Authenticated({ permission: Permission.UsersManage })
  @ApiErrorResponses(400, 404, 409, 422)
  update(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: UpdateUserDto,
    @CurrentPrincipal() caller: Principal,
  ): Promise<UserDto> {
    return this.users.update(id, body, caller);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Authenticated({ permission: Permission.UsersManage })
  @ApiErrorResponses(404)
  enable(@Param('id', new UuidParamPipe()) id: string, @CurrentPrincipal() caller: Principal): Promise<UserDto> {
    return this.users.setEnabled(id, true, caller);
  }

  /** Also ends every session of the user. */
  @Post(':id/disable')
  @HttpCode(200)
  @Authenticated({ permission: Permission.UsersManage })
  @ApiErrorResponses(404, 409)
  disable(@Param('id', new UuidParamPipe()) id: string, @CurrentPrincipal() caller: Principal): Promise<UserDto> {
    return this.users.setEnabled(id, false, caller);
  }

  /** Ends every session of the user at once, on every gateway. */
  @Post(':id/offline')
  @HttpCode(204)
  @Authenticated({ permission: Permission.UsersManage })
  @ApiErrorResponses(404)
  async forceOffline(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentPrincipal() caller: Principal,
  ): Promise<void> {
    await this.users.forceOffline(id, caller);
  }

  /** The user's API keys, newest first (never the keys themselves). */
  @Get(':id/api-keys')
  @Authenticated({ permission: Permission.ApiKeysAdmin })
  @ApiOkResponse({ type: [ApiKeyDto] })
  @ApiErrorResponses(404)
  apiKeys(@Param('id', new UuidParamPipe()) id: string, @CurrentPrincipal() caller: Principal): Promise<ApiKeyDto[]> {
    return this.users.apiKeysOf(id, caller);
  }

  /** Revokes every live API key of the user at once, on every gateway; their sign-in sessions go on. */
  @Delete(':id/api-keys')
  @Authenticated({ permission: Permission.ApiKeysAdmin })
  @ApiErrorResponses(404)
  async revokeApiKeys(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentPrincipal() caller: Principal,
  ): Promise<RevokedApiKeysDto> {
    return { revoked: await this.users.revokeApiKeys(id, caller) };
  }
}
