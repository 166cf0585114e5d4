import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged } from '@fleetgate/platform';
import {
  CreateNumberSegmentDto,
  NumberSegmentDto,
  NumberSegmentQueryDto,
  UpdateNumberSegmentDto,
} from './number-segment.dto';
import { NumberSegmentsService } from './number-segments.service';

@ApiTags('admin: number segments')
@Controller('admin/number-segments')
export class NumberSegmentsController {
  constructor(private readonly segments: NumberSegmentsService) {}

  @Get()
  @Authenticated({ permission: Permission.SegmentsRead })
  @ApiOkResponse({ type: PagedDto(NumberSegmentDto) })
  @ApiErrorResponses(400)
  list(@Query() query: NumberSegmentQueryDto): Promise<Paged<NumberSegmentDto>> {
    return this.segments.list(query);
  }

  @Get(':bizTag')
  @Authenticated({ permission: Permission.SegmentsRead })
  @ApiErrorResponses(404)
  get(@Param('bizTag') bizTag: string): Promise<NumberSegmentDto> {
    return this.segments.get(bizTag);
  }

  @Post()
  @Authenticated({ permission: Permission.SegmentsManage })
  @ApiErrorResponses(400, 409)
  create(@Body() body: CreateNumberSegmentDto): Promise<NumberSegmentDto> {
    return this.segments.create(body);
  }

  /** Changes the step or description, or raises maxId; lowering maxId is refused (409), it would repeat numbers. */
  @Patch(':bizTag')
  @Authenticated({ permission: Permission.SegmentsManage })
  @ApiErrorResponses(400, 404, 409)
  update(@Param('bizTag') bizTag: string, @Body() body: UpdateNumberSegmentDto): Promise<NumberSegmentDto> {
    return this.segments.update(bizTag, body);
  }

  /** Refused (409) for a tag the gateway takes numbers from, such as `task`. */
  @Delete(':bizTag')
  @HttpCode(204)
  @Authenticated({ permission: Permission.SegmentsManage })
  @ApiErrorResponses(404, 409)
  async remove(@Param('bizTag') bizTag: string): Promise<void> {
    await this.segments.remove(bizTag);
  }
}
