import { Injectable } from '@nestjs/common';
import { type Db, type Prisma, PrismaService, type Task } from '@fleetgate/persistence';
import type { AccessScope } from '../scope/access-scope';
import { tasksInScope } from '../scope/data-scope-where';

/** A new task's own fields; whom it belongs to comes from the scope it is created in. */
export type NewTask = Omit<Prisma.TaskUncheckedCreateInput, 'id' | 'createdById' | 'departmentId'>;

/** What the task list filters on. */
export interface TaskFilter {
  status?: string;
  type?: string;
  /** Tasks with a target on this device. */
  deviceId?: string;
}

/** How a task was stopped before its end: by a user, or by its rollout's failure threshold. */
export type TaskStop = 'cancelled' | 'aborted';

/**
 * The `tasks` table. Every read and write takes the AccessScope it acts in and applies it in the
 * query: a task outside the scope is not found, and not changed.
 */
@Injectable()
export class TaskRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A caller's task belongs to the caller and its department; a system scope's to no one. */
  create(scope: AccessScope, task: NewTask, db: Db = this.prisma): Promise<Task> {
    return db.task.create({
      data: {
        ...task,
        createdById: scope.kind === 'caller' ? scope.userId : null,
        departmentId: scope.kind === 'caller' ? scope.departmentId : null,
      },
    });
  }

  find(scope: AccessScope, id: string, db: Db = this.prisma): Promise<Task | null> {
    return db.task.findFirst({ where: { ...inScope(scope), id } });
  }

  /** The task an Idempotency-Key of this owner created, if any. */
  findByIdempotencyKey(scope: AccessScope, owner: string, key: string): Promise<Task | null> {
    return this.prisma.task.findUnique({
      where: { ...inScope(scope), idempotencyOwner_idempotencyKey: { idempotencyOwner: owner, idempotencyKey: key } },
    });
  }

  async status(scope: AccessScope, id: string): Promise<string | undefined> {
    const task = await this.prisma.task.findUnique({ where: { ...inScope(scope), id }, select: { status: true } });
    return task?.status;
  }

  async generation(scope: AccessScope, id: string): Promise<number | undefined> {
    const task = await this.prisma.task.findUnique({
      where: { ...inScope(scope), id },
      select: { generation: true },
    });
    return task?.generation;
  }

  generations(scope: AccessScope, ids: string[]): Promise<Array<{ id: string; generation: number }>> {
    return this.prisma.task.findMany({
      where: { ...inScope(scope), id: { in: ids } },
      select: { id: true, generation: true },
    });
  }

  /** What a task's status is recomputed from beside its targets, and the number its events carry. */
  statusFacts(
    scope: AccessScope,
    id: string,
  ): Promise<{ status: string; number: bigint; cancelledAt: Date | null; targetsWrittenAt: Date | null } | null> {
    return this.prisma.task.findUnique({
      where: { ...inScope(scope), id },
      select: { status: true, number: true, cancelledAt: true, targetsWrittenAt: true },
    });
  }

  /**
   * The task, its row locked until the transaction ends, if its targets are still to be written;
   * null once they are (or it is stopped, or not in the scope).
   */
  async lockUnwritten(scope: AccessScope, id: string, tx: Db): Promise<Task | null> {
    const [locked] = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id::text FROM tasks WHERE id = ${id}::uuid AND targets_written_at IS NULL FOR UPDATE`;
    if (!locked) return null;
    return tx.task.findFirst({ where: { ...inScope(scope), id, targetsWrittenAt: null } });
  }

  async markTargetsWritten(scope: AccessScope, id: string, tx: Db): Promise<void> {
    await tx.task.update({ where: { ...inScope(scope), id }, data: { targetsWrittenAt: new Date() } });
  }

  /**
   * The tasks whose targets are still to be written, in id order, read `pageSize` at a time; with
   * `createdBefore`, only those accepted before it.
   */
  async *unwritten(scope: AccessScope, pageSize: number, createdBefore?: Date): AsyncIterable<string> {
    for (let afterId = '00000000-0000-0000-0000-000000000000'; ;) {
      const rows = await this.prisma.task.findMany({
        where: {
          ...inScope(scope),
          targetsWrittenAt: null,
          id: { gt: afterId },
          ...(createdBefore ? { createdAt: { lt: createdBefore } } : {}),
        },
        orderBy: { id: 'asc' },
        select: { id: true },
        take: pageSize,
      });
      for (const row of rows) yield row.id;
      if (rows.length < pageSize) return;
      afterId = rows[rows.length - 1].id;
    }
  }

  /** One page of the list, newest first, and how many the whole list holds. */
  page(scope: AccessScope, filter: TaskFilter, skip: number, take: number): Promise<[Task[], number]> {
    const where: Prisma.TaskWhereInput = {
      ...inScope(scope),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.type ? { operationType: filter.type } : {}),
      ...(filter.deviceId ? { targets: { some: { deviceId: filter.deviceId } } } : {}),
    };
    return Promise.all([
      this.prisma.task.findMany({ where, orderBy: { number: 'desc' }, skip, take }),
      this.prisma.task.count({ where }),
    ]);
  }

  /** How many tasks hold each status. */
  async statusCounts(scope: AccessScope): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.prisma.task.groupBy({ by: ['status'], where: tasksInScope(scope), _count: { _all: true } });
    return rows.map((row) => ({ status: row.status, count: row._count._all }));
  }

  /** How many devices the tasks in the scope selected whose targets are still to be written. */
  async selectedUnwritten(scope: AccessScope): Promise<number> {
    const sum = await this.prisma.task.aggregate({
      where: { ...inScope(scope), targetsWrittenAt: null },
      _sum: { targetsSelected: true },
    });
    return sum._sum.targetsSelected ?? 0;
  }

  /** Whom a task belongs to, for the data scopes of events about it. */
  ownerOf(
    scope: AccessScope,
    id: string,
    db: Db = this.prisma,
  ): Promise<{ departmentId: string | null; createdById: string | null } | null> {
    return db.task.findUnique({
      where: { id, AND: tasksInScope(scope) },
      select: { departmentId: true, createdById: true },
    });
  }

  /**
   * Marks a task stopped (cancelledAt or abortedAt): no dispatch sends its targets afterwards, and
   * targets not written yet never will be. Waits for a writer of its targets holding the row; in the
   * caller's transaction, so that a writer finds the stop and the end of writing together or neither.
   */
  async markStopped(scope: AccessScope, id: string, stop: TaskStop, at: Date, tx: Db): Promise<void> {
    const task = await tx.task.update({
      where: { ...inScope(scope), id },
      data: stop === 'cancelled' ? { cancelledAt: at } : { abortedAt: at },
      select: { targetsWrittenAt: true },
    });
    if (!task.targetsWrittenAt) {
      await tx.task.update({ where: { ...inScope(scope), id }, data: { targetsWrittenAt: at } });
    }
  }

  /** Starts a retry's generation: the task runs again, its earlier ending and abort forgotten. */
  async startGeneration(scope: AccessScope, id: string, generation: number, db: Db = this.prisma): Promise<void> {
    await db.task.update({
      where: { ...inScope(scope), id },
      data: { generation, status: 'running', finishedAt: null, abortedAt: null },
    });
  }

  /**
   * Sets a task's status, and its end when final, unless it holds that status already; answers
   * whether this call changed it (of concurrent writers, one does).
   */
  async changeStatus(scope: AccessScope, id: string, status: string, finishedAt: Date | null): Promise<boolean> {
    const changed = await this.prisma.task.updateMany({
      where: { ...inScope(scope), id, status: { not: status } },
      data: { status, finishedAt },
    });
    return changed.count > 0;
  }
}

/**
 * The tasks a scope reaches (tasksInScope), typed as the owner conditions it holds, so that it
 * narrows a lookup by a unique key as well.
 */
function inScope(scope: AccessScope): Pick<Prisma.TaskWhereInput, 'OR' | 'createdById'> {
  return tasksInScope(scope) as Pick<Prisma.TaskWhereInput, 'OR' | 'createdById'>;
}
