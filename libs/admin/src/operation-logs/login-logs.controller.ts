import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged } from '@fleetgate/platform';
import { LoginLogDto, LoginLogQueryDto } from './operation-log.dto';
import { OperationLogsService } from './operation-logs.service';

@ApiTags('admin: logs')
@Controller('admin/login-logs')
export class LoginLogsController {
  constructor(private readonly logs: OperationLogsService) {}

  /** Sign-in attempts, newest first, with why the failed ones failed. */
  @Get()
  @Authenticated({ permission: Permission.LoginLogsRead })
  @ApiOkResponse({ type: PagedDto(LoginLogDto) })
  @ApiErrorResponses(400)
  list(@Query() query: LoginLogQueryDto): Promise<Paged<LoginLogDto>> {
    return this.logs.listLogins(query);
  }
}
