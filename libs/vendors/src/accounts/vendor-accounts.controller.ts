import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
import { VendorRegistry } from '../registry/vendor-registry';
import {
  ConnectionTestDto,
  CreatedVendorAccountDto,
  CreateVendorAccountDto,
  RotatedWebhookSecretDto,
  RotateWebhookSecretDto,
  UpdateVendorAccountDto,
  VendorAccountDto,
  VendorAccountQueryDto,
  VendorDescriptionDto,
} from './vendor-account.dto';
import { VendorAccountService } from './vendor-account.service';

@ApiTags('vendor-accounts')
@Controller('vendor-accounts')
export class VendorAccountsController {
  constructor(
    private readonly accounts: VendorAccountService,
    private readonly registry: VendorRegistry,
  ) {}

  /** The vendors this build speaks to, their credential fields and capabilities. */
  @Get('vendors')
  @Authenticated({ permission: Permission.VendorAccountsRead })
  vendors(): VendorDescriptionDto[] {
    return this.registry.vendors().map((vendor) => {
      const definition = this.registry.definition(vendor)!;
      return {
        vendor,
        displayName: definition.displayName,
        credentialFields: [...definition.credentialFields],
        capabilities: [...definition.capabilities].sort(),
        defaultRateLimitPerSecond: definition.defaultRateLimitPerSecond,
      };
    });
  }

  @Post()
  @Authenticated({ permission: Permission.VendorAccountsManage })
  @ApiErrorResponses(400, 409)
  create(@Body() body: CreateVendorAccountDto): Promise<CreatedVendorAccountDto> {
    return this.accounts.create(body);
  }

  @Get()
  @Authenticated({ permission: Permission.VendorAccountsRead })
  @ApiOkResponse({ type: PagedDto(VendorAccountDto) })
  @ApiErrorResponses(400)
  list(@Query() query: VendorAccountQueryDto): Promise<Paged<VendorAccountDto>> {
    return this.accounts.list(query, query.vendor);
  }

  @Get(':id')
  @Authenticated({ permission: Permission.VendorAccountsRead })
  @ApiErrorResponses(404)
  get(@Param('id', new UuidParamPipe()) id: string): Promise<VendorAccountDto> {
    return this.accounts.get(id);
  }

  @Patch(':id')
  @Authenticated({ permission: Permission.VendorAccountsManage })
  @ApiErrorResponses(400, 404, 409)
  update(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: UpdateVendorAccountDto,
  ): Promise<VendorAccountDto> {
    return this.accounts.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.VendorAccountsManage })
  @ApiErrorResponses(404)
  remove(@Param('id', new UuidParamPipe()) id: string): Promise<void> {
    return this.accounts.remove(id);
  }

  /**
   * Gives the account a new webhook secret (shown once). The replaced one is still accepted for
   * `graceHours` (default 24), while the vendor's callback settings are changed.
   */
  @Post(':id/webhook-secret')
  @HttpCode(200)
  @Authenticated({ permission: Permission.VendorAccountsManage })
  @ApiErrorResponses(400, 404)
  rotateWebhookSecret(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: RotateWebhookSecretDto,
  ): Promise<RotatedWebhookSecretDto> {
    return this.accounts.rotateWebhookSecret(id, body.graceHours ?? 24);
  }

  /** Makes one cheap authenticated call to the vendor with this account's credentials. */
  @Post(':id/test')
  @HttpCode(200)
  @Authenticated({ permission: Permission.VendorAccountsManage })
  @ApiErrorResponses(404)
  test(@Param('id', new UuidParamPipe()) id: string): Promise<ConnectionTestDto> {
    return this.accounts.testConnection(id);
  }
}
