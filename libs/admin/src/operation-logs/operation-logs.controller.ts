import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged } from '@fleetgate/platform';
import { CleanedLogsDto, CleanLogsDto, OperationLogDto, OperationLogQueryDto } from './operation-log.dto';
import { OperationLogsService } from './operation-logs.service';

@ApiTags('admin: logs')
@Controller('admin/operation-logs')
export class OperationLogsController {
  constructor(private readonly logs: OperationLogsService) {}

  /** Changing requests through the gateway, newest first. */
  @Get()
  @Authenticated({ permission: Permission.OperationLogsRead })
  @ApiOkResponse({ type: PagedDto(OperationLogDto) })
  @ApiErrorResponses(400)
  list(@Query() query: OperationLogQueryDto): Promise<Paged<OperationLogDto>> {
    return this.logs.list(query);
  }

  /** Deletes operation logs older than N days; the worker also does so past OPERATION_LOG_RETENTION_DAYS. */
  @Post('clean')
  @HttpCode(200)
  @Authenticated({ permission: Permission.OperationLogsManage })
  @ApiErrorResponses(400)
  async clean(@Body() body: CleanLogsDto): Promise<CleanedLogsDto> {
    return { deleted: await this.logs.clean(body.olderThanDays) };
  }
}
