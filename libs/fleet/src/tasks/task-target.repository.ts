import { Injectable } from '@nestjs/common';
import { type Db, Prisma, PrismaService, type TaskTarget } from '@fleetgate/persistence';
import type { AccessScope, SystemScope } from '../scope/access-scope';
import { taskIdInScopeSql, targetsInScope, tasksInScope } from '../scope/data-scope-where';

/** One dispatch batch of a task: the targets of one account with one batch number. */
export interface BatchKey {
  taskId: string;
  accountId: string;
  batch: number;
}

/** A target claimed by a dispatch: the one dispatch that may send it. */
export interface ClaimedTarget {
  id: string;
  vendorRef: string;
}

/** A running target recorded as cancelled because an operation being sent ends its vendor run. */
export interface StoppedTarget {
  id: string;
  taskId: string;
  batch: number;
  message: string;
}

/** A target row to write for a new task: its device (none for a vendor-side account), batch and delay. */
export interface NewTarget {
  deviceId: string | null;
  accountId: string;
  vendor: string;
  vendorRef: string;
  batch: number;
  /** From the task's creation to the batch's not-before time; 0 is no wait. */
  delayMs: number;
}

/** A dispatched target's outcome as one UPDATE writes it; a null leaves result, finished_at and wait_until as they were. */
export interface TargetOutcomeRow {
  id: string;
  vendorTaskId: string | null;
  /** Every vendor task of the target, as a JSON array (unnest cannot take arrays of different lengths). */
  vendorTaskIds: string;
  /** As JSON text. */
  result: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  status: string;
  /** ISO timestamps. */
  finishedAt: string | null;
  waitUntil: string | null;
}

/** A running target with the vendor tasks it owns. */
export interface RunningTarget {
  id: string;
  batch: number;
  vendorTaskId: string | null;
  vendorTaskIds: string[];
}

/** A target as applying vendor progress reads it. */
export interface MovableTarget {
  id: string;
  taskId: string;
  vendorTaskId: string | null;
  vendorTaskIds: string[];
  vendorRef: string;
  status: string;
}

/** How long a claim lives unrenewed, and how late a paced or untouched target is left before the sweeper acts. */
export interface StuckCutoffs {
  now: Date;
  /** Pending targets untouched since (and, paced, not due since) this were left without a dispatch job. */
  horizon: Date;
  /** Claims not renewed since this were cut off. */
  claimsBefore: Date;
}

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
 * The `task_targets` table. Every read and write takes the AccessScope it acts in and applies it in
 * the query: a target is seen with its task (a scope that reaches every task adds no condition).
 */
@Injectable()
export class TaskTargetRepository {
  constructor(private readonly prisma: PrismaService) {}

  // --- creation

  /**
   * Writes a page of a new task's targets with one statement of array parameters: thousands of
   * targets in a few milliseconds, where a row-per-parameter insert takes seconds. A paced batch's
   * not-before time counts from the task's creation.
   */
  async insert(
    scope: AccessScope,
    task: { id: string; createdAt: Date },
    rows: NewTarget[],
    db: Db = this.prisma,
  ): Promise<void> {
    await db.$executeRaw`
        INSERT INTO task_targets (id, task_id, device_id, account_id, vendor, vendor_ref, batch, not_before, updated_at)
        SELECT gen_random_uuid(), ${task.id}::uuid, r.device_id::uuid, r.account_id::uuid, r.vendor, r.vendor_ref,
               r.batch, CASE WHEN r.delay_ms > 0 THEN ${task.createdAt}::timestamptz + r.delay_ms * interval '1 millisecond' END,
               now()
        FROM unnest(${rows.map((row) => row.deviceId)}::text[], ${rows.map((row) => row.accountId)}::text[],
                    ${rows.map((row) => row.vendor)}::text[], ${rows.map((row) => row.vendorRef)}::text[],
                    ${rows.map((row) => row.batch)}::int[], ${rows.map((row) => row.delayMs)}::bigint[])
             AS r(device_id, account_id, vendor, vendor_ref, batch, delay_ms)
        WHERE ${taskIdInScopeSql(scope, Prisma.sql`${task.id}::uuid`)}`;
  }

  // --- queries

  /** A task's targets in (vendor, reference) order. */
  list(
    scope: AccessScope,
    taskId: string,
    skip: number | undefined,
    take: number,
    status?: string,
  ): Promise<TaskTarget[]> {
    return this.prisma.taskTarget.findMany({
      where: { taskId, ...(status ? { status } : {}), ...targetsInScope(scope) },
      orderBy: [{ vendor: 'asc' }, { vendorRef: 'asc' }],
      skip,
      take,
    });
  }

  count(scope: AccessScope, taskId: string, status?: string): Promise<number> {
    return this.prisma.taskTarget.count({ where: { taskId, ...(status ? { status } : {}), ...targetsInScope(scope) } });
  }

  /** How many targets of each task hold each stored status. */
  async countsByTask(
    scope: AccessScope,
    taskIds: string[],
  ): Promise<Array<{ taskId: string; status: string; count: number }>> {
    const rows = await this.prisma.taskTarget.groupBy({
      by: ['taskId', 'status'],
      where: { taskId: { in: taskIds }, ...targetsInScope(scope) },
      _count: { _all: true },
    });
    return rows.map((row) => ({ taskId: row.taskId, status: row.status, count: row._count._all }));
  }

  /** How many targets of one task hold each stored status. */
  async statusCountsOf(scope: AccessScope, taskId: string): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.prisma.taskTarget.groupBy({
      by: ['status'],
      where: { taskId, ...targetsInScope(scope) },
      _count: { _all: true },
    });
    return rows.map((row) => ({ status: row.status, count: row._count._all }));
  }

  /** How many targets of the tasks in the scope hold each stored status. */
  async statusCounts(scope: AccessScope): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.prisma.taskTarget.groupBy({
      by: ['status'],
      where: { task: tasksInScope(scope) },
      _count: { _all: true },
    });
    return rows.map((row) => ({ status: row.status, count: row._count._all }));
  }

  /**
   * Which stored statuses a task's targets hold, not how many hold each: an index skip over
   * (task_id, status) reads a handful of entries where counting reads every target.
   */
  async presentStatuses(scope: AccessScope, taskId: string): Promise<string[]> {
    const present = await this.prisma.$queryRaw<Array<{ status: string }>>`
      WITH RECURSIVE present(status) AS (
        (SELECT status FROM task_targets WHERE task_id = ${taskId}::uuid ORDER BY status LIMIT 1)
        UNION ALL
        SELECT (SELECT t.status FROM task_targets t
                WHERE t.task_id = ${taskId}::uuid AND t.status > present.status ORDER BY t.status LIMIT 1)
        FROM present WHERE present.status IS NOT NULL
      )
      SELECT status FROM present WHERE status IS NOT NULL AND ${taskIdInScopeSql(scope, Prisma.sql`${taskId}::uuid`)}`;
    return present.map((row) => row.status);
  }

  // --- progress

  /**
   * The targets of an account, in one of `statuses`, that own any of these vendor tasks. A target that
   * owns several vendor tasks holds them all in vendor_task_ids; `<> '{}'` lets PostgreSQL use that
   * column's index, which leaves out targets not sent yet.
   */
  withVendorTasks(
    scope: AccessScope,
    accountId: string,
    vendorTaskIds: string[],
    statuses: string[],
  ): Promise<MovableTarget[]> {
    return this.prisma.$queryRaw<MovableTarget[]>`
      SELECT id::text, task_id::text AS "taskId", vendor_task_id AS "vendorTaskId",
             vendor_task_ids AS "vendorTaskIds", vendor_ref AS "vendorRef", status
      FROM task_targets
      WHERE account_id = ${accountId}::uuid AND status = ANY(${statuses}::text[])
        AND (vendor_task_id = ANY(${vendorTaskIds}::text[])
             OR (vendor_task_ids && ${vendorTaskIds}::text[] AND vendor_task_ids <> '{}'::text[]))
        AND ${taskIdInScopeSql(scope, Prisma.sql`task_id`)}`;
  }

  /** The targets matching `where` that hold one of `statuses`. */
  matching(
    scope: AccessScope,
    where: Prisma.TaskTargetWhereInput,
    statuses: string[],
  ): Promise<Array<{ id: string; taskId: string }>> {
    return this.prisma.taskTarget.findMany({
      where: { ...where, status: { in: statuses }, ...targetsInScope(scope) },
      select: { id: true, taskId: true },
    });
  }

  /** Writes `data` to these targets where they still hold one of `statuses`. */
  async update(
    scope: AccessScope,
    ids: string[],
    statuses: string[],
    data: Prisma.TaskTargetUpdateManyMutationInput,
  ): Promise<void> {
    await this.prisma.taskTarget.updateMany({
      where: { id: { in: ids }, status: { in: statuses }, ...targetsInScope(scope) },
      data,
    });
  }

  /** Ends a task's targets not sent yet with `error`, as cancelled. */
  async cancelPending(
    scope: AccessScope,
    taskId: string,
    error: { code: string; message: string },
    at: Date,
    db: Db = this.prisma,
  ): Promise<void> {
    await db.taskTarget.updateMany({
      where: { taskId, status: 'pending', ...targetsInScope(scope) },
      data: { status: 'cancelled', finishedAt: at, errorCode: error.code, errorMessage: error.message },
    });
  }

  /** The accounts holding a task's targets that run at the vendor under a vendor task. */
  async accountsRunning(scope: AccessScope, taskId: string): Promise<string[]> {
    const rows = await this.prisma.taskTarget.groupBy({
      by: ['accountId'],
      where: { taskId, status: 'running', vendorTaskId: { not: null }, ...targetsInScope(scope) },
    });
    return rows.map((row) => row.accountId);
  }

  /** A page of an account's running targets of a task, in id order after `after`. */
  runningPage(
    scope: AccessScope,
    taskId: string,
    accountId: string,
    after: string | undefined,
    take: number,
  ): Promise<RunningTarget[]> {
    return this.prisma.taskTarget.findMany({
      where: {
        taskId,
        accountId,
        status: 'running',
        vendorTaskId: { not: null },
        ...(after ? { id: { gt: after } } : {}),
        ...targetsInScope(scope),
      },
      select: { id: true, batch: true, vendorTaskId: true, vendorTaskIds: true },
      orderBy: { id: 'asc' },
      take,
    });
  }

  /**
   * Records as cancelled the running targets of an account that follow these vendor tasks (of any
   * task), with `message`; answers them.
   */
  stopRunning(
    scope: AccessScope,
    accountId: string,
    vendorTaskIds: string[],
    message: string,
  ): Promise<StoppedTarget[]> {
    return this.prisma.$queryRaw<StoppedTarget[]>`
      UPDATE task_targets
      SET status = 'cancelled', error_code = 'cancelled', error_message = ${message},
          finished_at = now(), updated_at = now()
      WHERE account_id = ${accountId}::uuid AND status = 'running'
        AND (vendor_task_id = ANY(${vendorTaskIds}::text[])
             OR (vendor_task_ids && ${vendorTaskIds}::text[] AND vendor_task_ids <> '{}'::text[]))
        AND ${taskIdInScopeSql(scope, Prisma.sql`task_id`)}
      RETURNING id::text, task_id::text AS "taskId", batch, error_message AS "message"`;
  }

  /**
   * Puts back to running targets recorded as cancelled ahead of a vendor's answer, where they still
   * are (and still carry `message`, when given).
   */
  async resumeCancelled(
    scope: AccessScope,
    ids: string[],
    message: string | undefined,
    db: Db = this.prisma,
  ): Promise<void> {
    await db.taskTarget.updateMany({
      where: {
        id: { in: ids },
        status: 'cancelled',
        errorCode: 'cancelled',
        ...(message !== undefined ? { errorMessage: message } : {}),
        ...targetsInScope(scope),
      },
      data: { status: 'running', finishedAt: null, errorCode: null, errorMessage: null },
    });
  }

  // --- dispatch

  /**
   * Claims the batch's due pending targets: those past their offline wait and their batch's
   * not-before time. One UPDATE takes only rows still pending and answers the rows it changed, so a
   * target claimed is one no other dispatch of the batch has.
   */
  claim(scope: AccessScope, batch: BatchKey, targetTimeoutSeconds: number): Promise<ClaimedTarget[]> {
    return this.prisma.$queryRaw<ClaimedTarget[]>`
      UPDATE task_targets
      SET status = 'dispatching', attempts = attempts + 1, dispatched_at = now(), updated_at = now(),
          deadline_at = now() + make_interval(secs => ${targetTimeoutSeconds})
      WHERE task_id = ${batch.taskId}::uuid AND account_id = ${batch.accountId}::uuid AND batch = ${batch.batch}
        AND status = 'pending'
        AND (wait_until IS NULL OR wait_until <= now())
        AND (not_before IS NULL OR not_before <= now())
        AND ${taskIdInScopeSql(scope, Prisma.sql`task_id`)}
      RETURNING id::text, vendor_ref AS "vendorRef"`;
  }

  /** Claims again the batch's targets whose claim was not renewed within `leaseMs`. */
  takeOverCutOff(
    scope: AccessScope,
    batch: BatchKey,
    targetTimeoutSeconds: number,
    leaseMs: number,
  ): Promise<ClaimedTarget[]> {
    return this.prisma.$queryRaw<ClaimedTarget[]>`
      UPDATE task_targets
      SET attempts = attempts + 1, dispatched_at = now(), updated_at = now(),
          deadline_at = now() + make_interval(secs => ${targetTimeoutSeconds})
      WHERE task_id = ${batch.taskId}::uuid AND account_id = ${batch.accountId}::uuid AND batch = ${batch.batch}
        AND status = 'dispatching' AND updated_at < now() - make_interval(secs => ${leaseMs / 1000})
        AND ${taskIdInScopeSql(scope, Prisma.sql`task_id`)}
      RETURNING id::text, vendor_ref AS "vendorRef"`;
  }

  /** Settles as failed the batch's targets whose claim was not renewed within `leaseMs`; answers how many. */
  settleCutOff(
    scope: AccessScope,
    batch: BatchKey,
    leaseMs: number,
    error: { code: string; message: string },
  ): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE task_targets
      SET status = 'failed', error_code = ${error.code}, error_message = ${error.message},
          finished_at = now(), updated_at = now()
      WHERE task_id = ${batch.taskId}::uuid AND account_id = ${batch.accountId}::uuid AND batch = ${batch.batch}
        AND status = 'dispatching' AND updated_at < now() - make_interval(secs => ${leaseMs / 1000})
        AND ${taskIdInScopeSql(scope, Prisma.sql`task_id`)}`;
  }

  /** Renews the claim on targets still being dispatched. */
  async renewClaim(scope: AccessScope, ids: string[]): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE task_targets SET updated_at = now()
      WHERE id = ANY(${ids}::uuid[]) AND status = 'dispatching'
        AND ${taskIdInScopeSql(scope, Prisma.sql`task_id`)}`;
  }

  /**
   * When a batch with nothing due now owes another dispatch, and why: the earliest not-before time
   * ahead, or when the latest claim held by another dispatch runs out (after `leaseMs`). No reason:
   * nothing is owed.
   */
  async nextDue(
    scope: AccessScope,
    batch: BatchKey,
    leaseMs: number,
  ): Promise<{ delayMs: number | null; reason: string | null } | undefined> {
    const [row] = await this.prisma.$queryRaw<Array<{ delay_ms: number | null; reason: string | null }>>`
      SELECT ceil(extract(epoch FROM least(
               min(not_before) FILTER (WHERE status = 'pending' AND not_before > now()),
               max(updated_at) FILTER (WHERE status = 'dispatching')
                 + make_interval(secs => ${leaseMs / 1000})) - now()) * 1000)::int AS delay_ms,
             CASE WHEN bool_or(status = 'dispatching') THEN 'in flight with another dispatch'
                  WHEN bool_or(status = 'pending' AND not_before > now()) THEN 'not due yet' END AS reason
      FROM task_targets
      WHERE task_id = ${batch.taskId}::uuid AND account_id = ${batch.accountId}::uuid AND batch = ${batch.batch}
        AND status IN ('pending', 'dispatching')
        AND ${taskIdInScopeSql(scope, Prisma.sql`task_id`)}`;
    return row ? { delayMs: row.delay_ms, reason: row.reason } : undefined;
  }

  /** Saves dispatched targets' outcomes by one UPDATE, where they are still being dispatched. */
  async recordOutcomes(scope: AccessScope, rows: TargetOutcomeRow[], db: Db = this.prisma): Promise<void> {
    const column = <K extends keyof TargetOutcomeRow>(key: K) => rows.map((row) => row[key]);
    await db.$executeRaw`
        UPDATE task_targets AS t
        SET vendor_task_id = o.vendor_task_id,
            vendor_task_ids = ARRAY(SELECT jsonb_array_elements_text(o.vendor_task_ids::jsonb)),
            result = COALESCE(o.result::jsonb, t.result),
            error_code = o.error_code,
            error_message = o.error_message,
            status = o.status,
            finished_at = COALESCE(o.finished_at, t.finished_at),
            wait_until = COALESCE(o.wait_until, t.wait_until),
            updated_at = now()
        FROM unnest(${column('id')}::uuid[], ${column('vendorTaskId')}::text[], ${column('vendorTaskIds')}::text[],
                    ${column('result')}::text[], ${column('errorCode')}::text[], ${column('errorMessage')}::text[],
                    ${column('status')}::text[], ${column('finishedAt')}::timestamptz[], ${column('waitUntil')}::timestamptz[])
             AS o(id, vendor_task_id, vendor_task_ids, result, error_code, error_message, status, finished_at, wait_until)
        WHERE t.id = o.id AND t.status = 'dispatching' AND ${taskIdInScopeSql(scope, Prisma.sql`t.task_id`)}`;
  }

  /** Puts claimed targets back to pending (nothing was sent). */
  async release(scope: AccessScope, ids: string[]): Promise<void> {
    await this.prisma.taskTarget.updateMany({
      where: { id: { in: ids }, status: 'dispatching', ...targetsInScope(scope) },
      data: { status: 'pending' },
    });
  }

  /** Fails targets not yet running with `error`; answers how many. */
  async fail(scope: AccessScope, ids: string[], error: { code: string; message: string }): Promise<number> {
    const { count } = await this.prisma.taskTarget.updateMany({
      where: { id: { in: ids }, status: { in: ['pending', 'dispatching'] }, ...targetsInScope(scope) },
      data: { status: 'failed', errorCode: error.code, errorMessage: error.message, finishedAt: new Date() },
    });
    return count;
  }

  /** How many of a task's targets ended as succeeded, failed or timed out, per status. */
  async finishedCounts(scope: AccessScope, taskId: string): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.prisma.taskTarget.groupBy({
      by: ['status'],
      where: { taskId, status: { in: ['succeeded', 'failed', 'timed_out'] }, ...targetsInScope(scope) },
      _count: { _all: true },
    });
    return rows.map((row) => ({ status: row.status, count: row._count._all }));
  }

  // --- polling and sweeping

  /** The vendor tasks of a batch's running targets. */
  runningVendorTasks(
    scope: AccessScope,
    batch: BatchKey,
  ): Promise<Array<{ vendorTaskId: string | null; vendorTaskIds: string[] }>> {
    return this.prisma.taskTarget.findMany({
      where: { ...batch, status: 'running', vendorTaskId: { not: null }, ...targetsInScope(scope) },
      select: { vendorTaskId: true, vendorTaskIds: true },
    });
  }

  countRunning(scope: AccessScope, batch: BatchKey): Promise<number> {
    return this.prisma.taskTarget.count({ where: { ...batch, status: 'running', ...targetsInScope(scope) } });
  }

  /**
   * Batches of tasks still going that were left without a dispatch job: due targets pending and
   * untouched past the horizon (a paced batch counted from its not-before time), or claims nobody renewed.
   */
  async stuckBatches(scope: AccessScope, cutoffs: StuckCutoffs): Promise<BatchKey[]> {
    const { now, horizon, claimsBefore } = cutoffs;
    const rows = await this.prisma.taskTarget.groupBy({
      by: ['taskId', 'accountId', 'batch'],
      where: {
        task: { cancelledAt: null, abortedAt: null, ...tasksInScope(scope) },
        OR: [
          {
            status: 'pending',
            updatedAt: { lt: horizon },
            AND: [
              { OR: [{ waitUntil: null }, { waitUntil: { lt: now } }] },
              { OR: [{ notBefore: null }, { notBefore: { lt: horizon } }] },
            ],
          },
          { status: 'dispatching', updatedAt: { lt: claimsBefore } },
        ],
      },
    });
    return rows.map(({ taskId, accountId, batch }) => ({ taskId, accountId, batch }));
  }

  // --- queue recovery

  /**
   * Batches of unfinished tasks owed a dispatch or a poll, of every task: only the system recovers
   * queues. In (task, account, batch) order.
   */
  owedBatches(
    _scope: SystemScope,
    after: OwedTaskBatchCursor,
    limit: number,
    db: Db = this.prisma,
  ): Promise<OwedTaskBatch[]> {
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

  // --- retry

  async hasRetryable(scope: AccessScope, taskId: string): Promise<boolean> {
    const found = await this.prisma.taskTarget.findFirst({
      where: { taskId, status: { in: ['failed', 'timed_out'] }, ...targetsInScope(scope) },
      select: { id: true },
    });
    return found !== null;
  }

  /** A page of the batches holding failed or timed-out targets, in (account, batch) order after `after`. */
  retryableBatches(
    scope: AccessScope,
    taskId: string,
    after: { accountId: string; batch: number },
    limit: number,
    db: Db = this.prisma,
  ): Promise<Array<{ accountId: string; batch: number }>> {
    return db.$queryRaw<Array<{ accountId: string; batch: number }>>`
          SELECT DISTINCT account_id::text AS "accountId", batch FROM task_targets
          WHERE task_id = ${taskId}::uuid AND status IN ('failed', 'timed_out')
            AND (account_id, batch) > (${after.accountId}::uuid, ${after.batch})
            AND ${taskIdInScopeSql(scope, Prisma.sql`task_id`)}
          ORDER BY 1, 2 LIMIT ${limit}`;
  }

  /** Turns a task's failed and timed-out targets pending again, with what their last send left cleared. */
  async resetRetryable(scope: AccessScope, taskId: string, db: Db = this.prisma): Promise<void> {
    await db.taskTarget.updateMany({
      where: { taskId, status: { in: ['failed', 'timed_out'] }, ...targetsInScope(scope) },
      data: {
        status: 'pending',
        vendorTaskId: null,
        vendorTaskIds: [],
        vendorStatus: null,
        result: Prisma.DbNull,
        errorCode: null,
        errorMessage: null,
        waitUntil: null,
        notBefore: null,
        dispatchedAt: null,
        deadlineAt: null,
        finishedAt: null,
      },
    });
  }
}
