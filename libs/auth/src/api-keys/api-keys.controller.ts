import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, UuidParamPipe } from '@fleetgate/platform';
import { Authenticated, CurrentPrincipal } from '../authenticated.decorator';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from '../dto/api-key.dto';
import { Permission } from '../permissions';
import type { Principal } from '../principal';
import { ApiKeyService } from './api-key.service';

@ApiTags('api-keys')
@Controller('api-keys')
@Authenticated({ permission: Permission.ApiKeysManage })
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  /** Creates a key for a machine client. The key is in this answer only. Needs a signed-in user, not a key. */
  @Post()
  @ApiErrorResponses(400)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(principal, body.name, body.permissions, body.expiresAt);
  }

  /** Your keys, newest first (never the keys themselves). Needs a signed-in user, not a key. */
  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyDto[]> {
    return this.apiKeys.listOwn(principal);
  }

  /** Revokes a key at once. Needs a signed-in user, not a key. */
  @Delete(':id')
  @HttpCode(204)
  @ApiErrorResponses(404)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParamPipe()) id: string): Promise<void> {
    return this.apiKeys.revoke(principal, id);
  }
}
