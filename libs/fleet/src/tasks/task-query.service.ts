import { Injectable } from '@nestjs/common';
import { NotFoundError, type TaskStatus } from '@fleetgate/domain';
import type { Task } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import type { AccessScope } from '../scope/access-scope';
import { TaskTargetRepository } from './task-target.repository';
import { TaskRepository } from './task.repository';
import { taskCounts, toTargetDto, toTaskDto } from './task-view';
import type { TaskDetailDto, TaskDto, TaskQueryDto, TaskStatsDto, TaskTargetDto, TaskTargetQueryDto } from './task.dto';

/** Target rows a task's detail carries; the rest are read page by page from its targets. */
const DETAIL_TARGET_ROWS = 1_000;

/** Fleet tasks as users read them: the list, a task with its first targets, its targets page by page, counts. */
@Injectable()
export class TaskQueryService {
  constructor(
    private readonly taskRepository: TaskRepository,
    private readonly targetRepository: TaskTargetRepository,
  ) {}

  async list(query: TaskQueryDto, scope: AccessScope): Promise<Paged<TaskDto>> {
    const [rows, total] = await this.taskRepository.page(
      scope,
      { status: query.status, type: query.type, deviceId: query.deviceId },
      query.skip,
      query.pageSize,
    );
    const counts = taskCounts(
      await this.targetRepository.countsByTask(
        scope,
        rows.map((row) => row.id),
      ),
    );
    return paged(
      rows.map((row) => toTaskDto(row, counts.get(row.id))),
      total,
      query,
    );
  }

  async get(id: string, scope: AccessScope): Promise<TaskDetailDto> {
    const task = await this.find(id, scope);
    const targets = await this.targetRepository.list(scope, id, undefined, DETAIL_TARGET_ROWS);
    return { ...(await this.view(task, scope)), targetRows: targets.map(toTargetDto) };
  }

  async targets(id: string, query: TaskTargetQueryDto, scope: AccessScope): Promise<Paged<TaskTargetDto>> {
    await this.find(id, scope);
    const [rows, total] = await Promise.all([
      this.targetRepository.list(scope, id, query.skip, query.pageSize, query.status),
      this.targetRepository.count(scope, id, query.status),
    ]);
    return paged(rows.map(toTargetDto), total, query);
  }

  async stats(scope: AccessScope): Promise<TaskStatsDto> {
    const [tasks, targets, unwritten] = await Promise.all([
      this.taskRepository.statusCounts(scope),
      this.targetRepository.statusCounts(scope),
      this.taskRepository.selectedUnwritten(scope),
    ]);
    const targetCounts: Record<string, number> = Object.fromEntries(targets.map((row) => [row.status, row.count]));
    // A task answered before its targets were written counts the devices it selected as pending (toTaskDto).
    if (unwritten > 0) targetCounts.pending = (targetCounts.pending ?? 0) + unwritten;
    return { tasks: Object.fromEntries(tasks.map((row) => [row.status, row.count])), targets: targetCounts };
  }

  /** A task's status, for another library following a task it started; undefined: no such task in the scope. */
  async statusOf(id: string, scope: AccessScope): Promise<TaskStatus | undefined> {
    return (await this.taskRepository.status(scope, id)) as TaskStatus | undefined;
  }

  /** A task the scope reaches; one outside it is not found, so that its existence does not leak. */
  async find(id: string, scope: AccessScope): Promise<Task> {
    const task = await this.taskRepository.find(scope, id);
    if (!task) throw new NotFoundError('Task', id);
    return task;
  }

  /** A task as users see it, with its target counts. */
  async view(task: Task, scope: AccessScope): Promise<TaskDto> {
    return toTaskDto(task, taskCounts(await this.targetRepository.countsByTask(scope, [task.id])).get(task.id));
  }
}
