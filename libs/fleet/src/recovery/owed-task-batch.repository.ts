import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '@fleetgate/persistence';
import type { SystemScope } from '../scope/access-scope';

/** A dispatch batch of an unfinished task, and what it is owed. */
export interface OwedTaskBatch {
  task_id: string;
  account_id: string;
  batch: number;
  generation: number;
  /** Some of its targets still wait to be sent. */
  due: boolean;
  /** Some of its targets run at the vendor and are polled. */
  running: boolean;
  /** How long until its earliest target may be sent (a paced batch). */
  wait_ms: number;
}

/** Where a page of owed batches starts: after this (task, account, batch). */
export interface OwedTaskBatchCursor {
  taskId: string;
  accountId: string;
  batch: number;
}

/**
 * The one read of the `tasks` and `task_targets` tables that queue recovery needs: the batches owed
 * a dispatch or a poll. It belongs with the task repositories of tasks/ and moves there beside them.
 */
@Injectable()
export class OwedTaskBatchRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Owed batches of every task: only the system recovers queues. In (task, account, batch) order. */
  page(_scope: SystemScope, after: OwedTaskBatchCursor, limit: number, db: Db = this.prisma): Promise<OwedTaskBatch[]> {
    return db.$queryRaw<OwedTaskBatch[]>`
        SELECT t.task_id::text, t.account_id::text, t.batch, k.generation,
               bool_or(t.status IN ('pending', 'dispatching')) AS due,
               bool_or(t.status = 'running' AND t.vendor_task_id IS NOT NULL) AS running,
               greatest(0, ceil(extract(epoch FROM min(t.not_before) - now()) * 1000))::int AS wait_ms
        FROM task_targets t JOIN tasks k ON k.id = t.task_id
        WHERE k.finished_at IS NULL AND k.cancelled_at IS NULL AND t.status IN ('pending', 'dispatching', 'running')
          AND (t.task_id, t.account_id, t.batch) > (${after.taskId}::uuid, ${after.accountId}::uuid, ${after.batch})
        GROUP BY t.task_id, t.account_id, t.batch, k.generation
        ORDER BY t.task_id, t.account_id, t.batch
        LIMIT ${limit}`;
  }
}
