import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, Permission, type Principal } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
import {
  CreateMenuDto,
  CreateRoleDto,
  MenuNodeDto,
  ResourceDto,
  ResourceQueryDto,
  RoleDto,
  RoleGrantsDto,
  RoleGrantTreeDto,
  RoleQueryDto,
  UpdateMenuDto,
  UpdateResourceDto,
  UpdateRoleDto,
} from './access-control.dto';
import { AccessControlService } from './access-control.service';

@ApiTags('admin: access control')
@Controller('admin')
export class AccessControlController {
  constructor(private readonly accessControl: AccessControlService) {}

  @Get('roles')
  @Authenticated({ permission: Permission.RolesRead })
  @ApiOkResponse({ type: PagedDto(RoleDto) })
  @ApiErrorResponses(400)
  listRoles(@Query() query: RoleQueryDto): Promise<Paged<RoleDto>> {
    return this.accessControl.listRoles(query);
  }

  @Post('roles')
  @Authenticated({ permission: Permission.RolesManage })
  @ApiErrorResponses(400, 409)
  createRole(@Body() body: CreateRoleDto, @CurrentPrincipal() caller: Principal): Promise<RoleDto> {
    return this.accessControl.createRole(body, caller);
  }

  /** Reloads the permission cache of every gateway and worker (roles changed outside the API). */
  @Post('roles/refresh')
  @HttpCode(204)
  @Authenticated({ permission: Permission.RolesManage })
  async refresh(): Promise<void> {
    await this.accessControl.refresh();
  }

  @Get('roles/:id')
  @Authenticated({ permission: Permission.RolesRead })
  @ApiErrorResponses(404)
  getRole(@Param('id', new UuidParamPipe()) id: string): Promise<RoleDto> {
    return this.accessControl.getRole(id);
  }

  @Patch('roles/:id')
  @Authenticated({ permission: Permission.RolesManage })
  @ApiErrorResponses(400, 404, 409)
  updateRole(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: UpdateRoleDto,
    @CurrentPrincipal() caller: Principal,
  ): Promise<RoleDto> {
    return this.accessControl.updateRole(id, body, caller);
  }

  /** Refused while users hold the role. */
  @Delete('roles/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.RolesManage })
  @ApiErrorResponses(404, 409)
  async removeRole(@Param('id', new UuidParamPipe()) id: string, @CurrentPrincipal() caller: Principal): Promise<void> {
    await this.accessControl.removeRole(id, caller);
  }

  /** The menu tree and the permissions with their routes, and what the role holds of them. */
  @Get('roles/:id/grants')
  @Authenticated({ permission: Permission.RolesRead })
  @ApiErrorResponses(404)
  grants(@Param('id', new UuidParamPipe()) id: string): Promise<RoleGrantTreeDto> {
    return this.accessControl.grantTree(id);
  }

  /** Replaces the role's menus and permissions. */
  @Put('roles/:id/grants')
  @Authenticated({ permission: Permission.RolesManage })
  @ApiErrorResponses(400, 404, 422)
  grant(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: RoleGrantsDto,
    @CurrentPrincipal() caller: Principal,
  ): Promise<RoleGrantTreeDto> {
    return this.accessControl.grant(id, body, caller);
  }

  /** The caller's own menu tree, as the frontend builds its navigation from it. */
  @Get('menus/mine')
  @Authenticated()
  @ApiOkResponse({ type: [MenuNodeDto] })
  myMenus(@CurrentPrincipal() caller: Principal): Promise<MenuNodeDto[]> {
    return this.accessControl.menusOf(caller);
  }

  @Get('menus')
  @Authenticated({ permission: Permission.MenusRead })
  @ApiOkResponse({ type: [MenuNodeDto] })
  menus(): Promise<MenuNodeDto[]> {
    return this.accessControl.menus();
  }

  @Post('menus')
  @Authenticated({ permission: Permission.MenusManage })
  @ApiErrorResponses(400, 422)
  createMenu(@Body() body: CreateMenuDto): Promise<MenuNodeDto> {
    return this.accessControl.createMenu(body);
  }

  @Patch('menus/:id')
  @Authenticated({ permission: Permission.MenusManage })
  @ApiErrorResponses(400, 404, 422)
  updateMenu(@Param('id', new UuidParamPipe()) id: string, @Body() body: UpdateMenuDto): Promise<MenuNodeDto> {
    return this.accessControl.updateMenu(id, body);
  }

  /** Refused while menus sit below it. */
  @Delete('menus/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.MenusManage })
  @ApiErrorResponses(404, 409)
  async removeMenu(@Param('id', new UuidParamPipe()) id: string): Promise<void> {
    await this.accessControl.removeMenu(id);
  }

  /** The API's routes, read from the code at start, with the permission each needs. */
  @Get('resources')
  @Authenticated({ permission: Permission.ResourcesRead })
  @ApiOkResponse({ type: PagedDto(ResourceDto) })
  @ApiErrorResponses(400)
  resources(@Query() query: ResourceQueryDto): Promise<Paged<ResourceDto>> {
    return this.accessControl.resources(query);
  }

  @Patch('resources/:id')
  @Authenticated({ permission: Permission.ResourcesManage })
  @ApiErrorResponses(400, 404)
  updateResource(@Param('id', new UuidParamPipe()) id: string, @Body() body: UpdateResourceDto): Promise<ResourceDto> {
    return this.accessControl.updateResource(id, body);
  }
}
