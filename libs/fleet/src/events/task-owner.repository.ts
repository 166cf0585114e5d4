import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '@fleetgate/persistence';
import type { AccessScope } from '../scope/access-scope';
import { tasksInScope } from '../scope/data-scope-where';

/**
 * The one read of the `tasks` table that events need: whom a task belongs to, for the data scopes of
 * events about it. It belongs with the task repositories of tasks/ and moves there beside them.
 */
@Injectable()
export class TaskOwnerRepository {
  constructor(private readonly prisma: PrismaService) {}

  ownerOf(
    scope: AccessScope,
    taskId: string,
    db: Db = this.prisma,
  ): Promise<{ departmentId: string | null; createdById: string | null } | null> {
    return db.task.findUnique({
      where: { id: taskId, AND: tasksInScope(scope) },
      select: { departmentId: true, createdById: true },
    });
  }
}
