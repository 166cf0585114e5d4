import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged } from '@fleetgate/platform';
import {
  CleanedDto,
  CleanJobRunsDto,
  CopyScheduledJobDto,
  ExecutorDto,
  CreateScheduledJobDto,
  JobGroupDto,
  JobRunDto,
  JobRunQueryDto,
  NextFireTimesQueryDto,
  RunQueuedDto,
  ScheduledJobDto,
  ScheduledJobQueryDto,
  ScheduleStatsDto,
  UpdateScheduledJobDto,
  VendorPullOutcomeDto,
} from './scheduled-job.dto';
import { ExecutorRegistry } from './executor-registry';
import { SchedulingService } from './scheduling.service';

@ApiTags('scheduled-jobs')
@Controller()
export class ScheduledJobsController {
  constructor(
    private readonly scheduling: SchedulingService,
    private readonly executors: ExecutorRegistry,
  ) {}

  /** Worker processes that fire scheduled jobs, online while their heartbeats arrive. */
  @Get('executors')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiOkResponse({ type: [ExecutorDto] })
  listExecutors(): Promise<ExecutorDto[]> {
    return this.executors.list();
  }

  @Post('scheduled-jobs')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(400, 409)
  create(@Body() body: CreateScheduledJobDto): Promise<ScheduledJobDto> {
    return this.scheduling.create(body);
  }

  @Get('scheduled-jobs')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiOkResponse({ type: PagedDto(ScheduledJobDto) })
  @ApiErrorResponses(400)
  list(@Query() query: ScheduledJobQueryDto): Promise<Paged<ScheduledJobDto>> {
    return this.scheduling.list(query);
  }

  /**
   * Reads the schedules vendors keep now (the worker does it each minute): new ones become jobs,
   * deleted ones stop their jobs, their runs join the dispatch log.
   */
  @Post('scheduled-jobs/vendor-sync')
  @HttpCode(200)
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiOkResponse({ type: [VendorPullOutcomeDto] })
  pullVendorSchedules(): Promise<VendorPullOutcomeDto[]> {
    return this.scheduling.pullVendorSchedules();
  }

  /** Job groups with how many jobs each holds. */
  @Get('scheduled-jobs/groups')
  @Authenticated({ permission: Permission.SchedulesRead })
  groups(): Promise<JobGroupDto[]> {
    return this.scheduling.groups();
  }

  /** The run report for charts: jobs, runs by status, and runs, successes and failures per day. */
  @Get('scheduled-jobs/stats')
  @Authenticated({ permission: Permission.SchedulesRead })
  stats(@Query() query: NextFireTimesQueryDto): Promise<ScheduleStatsDto> {
    return this.scheduling.stats(query.count ?? 14);
  }

  @Get('scheduled-jobs/:id')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiErrorResponses(404)
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ScheduledJobDto> {
    return this.scheduling.get(id);
  }

  @Patch('scheduled-jobs/:id')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(400, 404)
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateScheduledJobDto): Promise<ScheduledJobDto> {
    return this.scheduling.update(id, body);
  }

  @Delete('scheduled-jobs/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(404)
  async remove(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.scheduling.remove(id);
  }

  @Post('scheduled-jobs/:id/start')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(404)
  start(@Param('id', new ParseUUIDPipe()) id: string): Promise<ScheduledJobDto> {
    return this.scheduling.setEnabled(id, true);
  }

  @Post('scheduled-jobs/:id/stop')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(404)
  stop(@Param('id', new ParseUUIDPipe()) id: string): Promise<ScheduledJobDto> {
    return this.scheduling.setEnabled(id, false);
  }

  /** A stopped copy under a new name. */
  @Post('scheduled-jobs/:id/copy')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(400, 404, 409)
  copy(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: CopyScheduledJobDto): Promise<ScheduledJobDto> {
    return this.scheduling.copy(id, body.name);
  }

  /** Fires the job once now, whatever its schedule. */
  @Post('scheduled-jobs/:id/run')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(404)
  run(@Param('id', new ParseUUIDPipe()) id: string): Promise<RunQueuedDto> {
    return this.scheduling.runOnce(id);
  }

  @Get('scheduled-jobs/:id/next-fire-times')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiErrorResponses(400, 404)
  nextFireTimes(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: NextFireTimesQueryDto): Promise<Date[]> {
    return this.scheduling.nextFireTimes(id, query.count ?? 5);
  }

  /** The dispatch log: every run with its tick, executor, result, task, duration and error. */
  @Get('job-runs')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiOkResponse({ type: PagedDto(JobRunDto) })
  @ApiErrorResponses(400)
  runs(@Query() query: JobRunQueryDto): Promise<Paged<JobRunDto>> {
    return this.scheduling.runs(query);
  }

  @Post('job-runs/clean')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(400)
  async clean(@Body() body: CleanJobRunsDto): Promise<CleanedDto> {
    return { deleted: await this.scheduling.cleanRuns(body) };
  }
}
