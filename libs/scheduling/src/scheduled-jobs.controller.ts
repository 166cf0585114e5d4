import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, Permission, type Principal } from '@fleetgate/auth';
import { type CallerScope, CurrentAccessScope } from '@fleetgate/fleet';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
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
  create(@Body() body: CreateScheduledJobDto, @CurrentPrincipal() principal: Principal): Promise<ScheduledJobDto> {
    return this.scheduling.create(body, principal);
  }

  @Get('scheduled-jobs')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiOkResponse({ type: PagedDto(ScheduledJobDto) })
  @ApiErrorResponses(400)
  list(
    @Query() query: ScheduledJobQueryDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<Paged<ScheduledJobDto>> {
    return this.scheduling.list(query, scope);
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
  groups(@CurrentAccessScope() scope: CallerScope): Promise<JobGroupDto[]> {
    return this.scheduling.groups(scope);
  }

  /** The run report for charts: jobs, runs by status, and runs, successes and failures per day. */
  @Get('scheduled-jobs/stats')
  @Authenticated({ permission: Permission.SchedulesRead })
  stats(@Query() query: NextFireTimesQueryDto, @CurrentAccessScope() scope: CallerScope): Promise<ScheduleStatsDto> {
    return this.scheduling.stats(query.count ?? 14, scope);
  }

  @Get('scheduled-jobs/:id')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiErrorResponses(404)
  get(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<ScheduledJobDto> {
    return this.scheduling.get(id, scope);
  }

  @Patch('scheduled-jobs/:id')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(400, 404)
  update(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: UpdateScheduledJobDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScheduledJobDto> {
    return this.scheduling.update(id, body, principal);
  }

  @Delete('scheduled-jobs/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(404)
  async remove(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<void> {
    await this.scheduling.remove(id, scope);
  }

  @Post('scheduled-jobs/:id/start')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(404)
  start(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScheduledJobDto> {
    return this.scheduling.setEnabled(id, true, principal);
  }

  @Post('scheduled-jobs/:id/stop')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(404)
  stop(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScheduledJobDto> {
    return this.scheduling.setEnabled(id, false, principal);
  }

  /** A stopped copy under a new name. */
  @Post('scheduled-jobs/:id/copy')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(400, 404, 409)
  copy(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: CopyScheduledJobDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScheduledJobDto> {
    return this.scheduling.copy(id, body.name, principal);
  }

  /** Fires the job once now, whatever its schedule. */
  @Post('scheduled-jobs/:id/run')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(404)
  run(@Param('id', new UuidParamPipe()) id: string, @CurrentPrincipal() principal: Principal): Promise<RunQueuedDto> {
    return this.scheduling.runOnce(id, principal);
  }

  @Get('scheduled-jobs/:id/next-fire-times')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiErrorResponses(400, 404)
  nextFireTimes(
    @Param('id', new UuidParamPipe()) id: string,
    @Query() query: NextFireTimesQueryDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<Date[]> {
    return this.scheduling.nextFireTimes(id, query.count ?? 5, scope);
  }

  /** The dispatch log: every run with its tick, executor, result, task, duration and error. */
  @Get('job-runs')
  @Authenticated({ permission: Permission.SchedulesRead })
  @ApiOkResponse({ type: PagedDto(JobRunDto) })
  @ApiErrorResponses(400)
  runs(@Query() query: JobRunQueryDto, @CurrentAccessScope() scope: CallerScope): Promise<Paged<JobRunDto>> {
    return this.scheduling.runs(query, scope);
  }

  @Post('job-runs/clean')
  @Authenticated({ permission: Permission.SchedulesManage })
  @ApiErrorResponses(400)
  async clean(@Body() body: CleanJobRunsDto, @CurrentAccessScope() scope: CallerScope): Promise<CleanedDto> {
    return { deleted: await this.scheduling.cleanRuns(body, scope) };
  }
}
