import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InvalidInputError } from '@fleetgate/domain';
import { Authenticated, Permission } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
import {
  CreateTaskDto,
  TaskDetailDto,
  TaskDto,
  TaskQueryDto,
  TaskStatsDto,
  TaskTargetDto,
  TaskTargetQueryDto,
} from './task.dto';
import type { CallerScope } from '../scope/access-scope';
import { CurrentAccessScope } from '../scope/caller-scope.decorator';
import { callerKey, TaskCreationService } from './task-creation.service';
import { TaskControlService } from './task-control.service';
import { TaskQueryService } from './task-query.service';

@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly creation: TaskCreationService,
    private readonly queries: TaskQueryService,
    private readonly control: TaskControlService,
  ) {}

  /**
   * Creates a task: one operation over the chosen devices, across vendors. Answers 202 once the task
   * and its dispatch jobs are stored; 200 with the earlier task when an Idempotency-Key repeats a request.
   */
  @Post()
  @Authenticated({ permission: Permission.TasksManage })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes retries of this request safe' })
  @ApiAcceptedResponse({ type: TaskDto })
  @ApiOkResponse({ type: TaskDto, description: 'The task an earlier request with this Idempotency-Key created' })
  @ApiErrorResponses(400, 404, 409, 422)
  async create(
    @Body() body: CreateTaskDto,
    @CurrentAccessScope() scope: CallerScope,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new InvalidInputError('Invalid Idempotency-Key', [
        { field: 'Idempotency-Key', problem: 'must be 1-200 visible ASCII characters' },
      ]);
    }
    const { task, created } = await this.creation.create(
      body,
      scope,
      idempotencyKey === undefined ? undefined : callerKey(scope.userId, idempotencyKey),
    );
    reply.status(created ? 202 : 200);
    return task;
  }

  @Get()
  @Authenticated({ permission: Permission.TasksRead })
  @ApiOkResponse({ type: PagedDto(TaskDto) })
  @ApiErrorResponses(400)
  list(@Query() query: TaskQueryDto, @CurrentAccessScope() scope: CallerScope): Promise<Paged<TaskDto>> {
    return this.queries.list(query, scope);
  }

  @Get('stats')
  @Authenticated({ permission: Permission.TasksRead })
  stats(@CurrentAccessScope() scope: CallerScope): Promise<TaskStatsDto> {
    return this.queries.stats(scope);
  }

  @Get(':id')
  @Authenticated({ permission: Permission.TasksRead })
  @ApiErrorResponses(404)
  get(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<TaskDetailDto> {
    return this.queries.get(id, scope);
  }

  @Get(':id/targets')
  @Authenticated({ permission: Permission.TasksRead })
  @ApiOkResponse({ type: PagedDto(TaskTargetDto) })
  @ApiErrorResponses(400, 404)
  targets(
    @Param('id', new UuidParamPipe()) id: string,
    @Query() query: TaskTargetQueryDto,
    @CurrentAccessScope() scope: CallerScope,
  ): Promise<Paged<TaskTargetDto>> {
    return this.queries.targets(id, query, scope);
  }

  @Post(':id/cancel')
  @Authenticated({ permission: Permission.TasksManage })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrorResponses(404, 409)
  cancel(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<TaskDto> {
    return this.control.cancel(id, scope);
  }

  /** Dispatches the failed and timed-out targets again. */
  @Post(':id/retry')
  @Authenticated({ permission: Permission.TasksManage })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrorResponses(404, 409)
  retry(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<TaskDto> {
    return this.control.retryFailed(id, scope);
  }
}
