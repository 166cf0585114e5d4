import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '@fleetgate/platform';
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

  /** Creates a key for a machine client. The key is in this answer only. */
  @Post()
  @ApiErrorResponses(400)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(principal, body.name, body.permissions, body.expiresAt);
  }

  /** Your keys, newest first (never the keys themselves). */
  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyDto[]> {
    return this.apiKeys.list(principal.userId);
  }

  /** Revokes a key at once. */
  @Delete(':id')
  @HttpCode(204)
  @ApiErrorResponses(404)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.apiKeys.revoke(principal, id);
  }
}
