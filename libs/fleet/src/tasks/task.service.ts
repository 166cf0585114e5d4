import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConflictError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import type { Operation, VendorName } from '@fleetgate/domain';
import { NumberSegmentAllocator, Prisma, PrismaService, type Task, type TaskTarget } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import { jobIdOf, Outbox } from '@fleetgate/queues';
import { VendorAccountService, VendorError, VendorRegistry } from '@fleetgate/vendors';
import { ArtifactService } from '../artifacts/artifact.service';
import type { AccessScope } from '../scope/access-scope';
import { devicesInScope, tasksInScope } from '../scope/data-scope-where';
import { checkOperation } from './operation-params';
import { TaskProgress } from './task-progress';
import { DISPATCH_BATCH_SIZE, missingDeviceProblems, rolloutDelayMs, targetWhere } from './task-targeting';
import type {
  CreateTaskDto,
  TaskCountsDto,
  TaskDetailDto,
  TaskDto,
  TaskQueryDto,
  TaskStatsDto,
  TaskTargetDto,
  TaskTargetQueryDto,
} from './task.dto';

const DEFAULT_TARGET_TIMEOUT_SECONDS = 900;
const DETAIL_TARGET_ROWS = 1_000;

export interface CreatedTask {
  task: TaskDto;
  /** False when an Idempotency-Key matched an earlier request: nothing new was created. */
  created: boolean;
}

/**
 * An Idempotency-Key and whose it is: a caller's keys are its own (`user:<id>`), a scheduled job's
 * runs have theirs (`schedule:<job id>`), so that no caller meets, or blocks, another's key.
 */
export interface IdempotencyKey {
  owner: string;
  key: string;
}

/** A caller's own key namespace. */
export function callerKey(userId: string, key: string): IdempotencyKey {
  return { owner: `user:${userId}`, key };
}

/** A task's target selection, checked: its devices, how many, and the accounts and vendors they are in. */
interface TargetSelection {
  where: Prisma.DeviceWhereInput;
  total: number;
  groups: Array<{ accountId: string; vendor: string }>;
}

/** What a task's target rows are made of: a device, or a vendor-side account with no device (id null). */
interface TargetUnit {
  id: string | null;
  vendor: string;
  accountId: string;
  vendorRef: string;
}

/** Vendors that run scripts for accounts named by username (TikMatrix usernames mode). */
const USERNAME_VENDORS: ReadonlySet<string> = new Set(['tikmatrix']);

/**
 * How long creating a task (its targets and dispatch jobs, in one transaction) may take. Targets are
 * written a page at a time by array statements: 100,000 take about 20 s on a 2-core machine at a load
 * of 16, a few seconds on an idle one.
 */
const CREATE_TRANSACTION = { timeout: 60_000, maxWait: 10_000 };
/** Devices read and targets written per statement while creating a task, so that none is held whole. */
const TARGET_PAGE = 10_000;
/** Failed batches staged again, or vendor tasks cancelled, per round. */
const BATCH_PAGE = 1_000;

/**
 * Fleet tasks as users see them: creation (validated, capability-checked, written with its
 * dispatch jobs in one transaction), listing, detail, cancel and retry.
 */
@Injectable()
export class TaskService {
  private readonly logger = new Logger(TaskService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: Outbox,
    private readonly registry: VendorRegistry,
    private readonly accounts: VendorAccountService,
    private readonly progress: TaskProgress,
    private readonly artifacts: ArtifactService,
    private readonly numbers: NumberSegmentAllocator,
    private readonly config: FleetgateConfig,
  ) {}

  /**
   * Creates a task over the devices its targets select within the scope. A caller's task belongs to
   * the caller and its department; a system scope's to no one (only all-reaching scopes see it).
   */
  async create(input: CreateTaskDto, scope: AccessScope, idempotency?: IdempotencyKey): Promise<CreatedTask> {
    const requestHash = createHash('sha256').update(stableJson(input)).digest('hex');
    if (idempotency) {
      const earlier = await this.replay(idempotency, requestHash);
      if (earlier) return { task: earlier, created: false };
    }
    const operation = await this.withArtifact(
      checkOperation(input.operation.type, input.operation.params ?? {}),
      scope,
    );
    const selection = await this.resolveTargets(input, scope, operation.type);
    const usernames = operation.type === 'script.start' ? operation.params.usernames : undefined;
    const usernameUnits = usernames?.length ? usernameTargets(selection.groups, usernames) : undefined;

    const perMinute = input.rollout?.targetsPerMinute;
    // With a pace, small batches spread evenly (about every 5 s) rather than a hundred at once.
    const batchSize = perMinute
      ? Math.min(DISPATCH_BATCH_SIZE, Math.max(1, Math.ceil(perMinute / 12)))
      : DISPATCH_BATCH_SIZE;
    // Taken before the transaction: a refill must not wait inside it, and a rolled-back task only skips a number.
    const number = await this.numbers.next('task');

    try {
      const task = await this.prisma.$transaction(async (tx) => {
        const task = await tx.task.create({
          data: {
            number,
            operationType: operation.type,
            params: operation.params as Prisma.InputJsonValue,
            targetSpec: input.targets as unknown as Prisma.InputJsonValue,
            idempotencyKey: idempotency?.key,
            idempotencyOwner: idempotency?.owner,
            requestHash,
            rolloutPerMinute: perMinute,
            abortFailurePercent: input.rollout?.abortFailurePercent,
            abortMinTargets: input.rollout?.abortMinTargets,
            targetTimeoutSeconds: input.targetTimeoutSeconds ?? DEFAULT_TARGET_TIMEOUT_SECONDS,
            offlineTtlSeconds: input.offlineTtlSeconds,
            createdById: scope.kind === 'caller' ? scope.userId : null,
            departmentId: scope.kind === 'caller' ? scope.departmentId : null,
          },
        });
        const units = usernameUnits ? oneBatchOf(usernameUnits) : devicePages(tx, selection.where);
        await this.writeTargets(tx, task, units, batchSize, perMinute);
        return task;
      }, CREATE_TRANSACTION);
      this.outbox.relaySoon();
      return { task: await this.toDto(task), created: true };
    } catch (error) {
      // Two requests with one key at once: the loser answers what the winner created.
      if (idempotency && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const earlier = await this.replay(idempotency, requestHash);
        if (earlier) return { task: earlier, created: false };
      }
      throw error;
    }
  }

  async list(query: TaskQueryDto, scope: AccessScope): Promise<Paged<TaskDto>> {
    const where: Prisma.TaskWhereInput = {
      ...tasksInScope(scope),
      ...(query.status ? { status: query.status } : {}),
      ...(query.type ? { operationType: query.type } : {}),
      ...(query.deviceId ? { targets: { some: { deviceId: query.deviceId } } } : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.task.findMany({ where, orderBy: { number: 'desc' }, skip: query.skip, take: query.pageSize }),
      this.prisma.task.count({ where }),
    ]);
    const counts = await this.countsOf(rows.map((row) => row.id));
    return paged(
      rows.map((row) => toTaskDto(row, counts.get(row.id))),
      total,
      query,
    );
  }

  async get(id: string, scope: AccessScope): Promise<TaskDetailDto> {
    const task = await this.task(id, scope);
    const targets = await this.prisma.taskTarget.findMany({
      where: { taskId: id },
      orderBy: [{ vendor: 'asc' }, { vendorRef: 'asc' }],
      take: DETAIL_TARGET_ROWS,
    });
    return { ...(await this.toDto(task)), targetRows: targets.map(toTargetDto) };
  }

  async targets(id: string, query: TaskTargetQueryDto, scope: AccessScope): Promise<Paged<TaskTargetDto>> {
    await this.task(id, scope);
    const where: Prisma.TaskTargetWhereInput = { taskId: id, ...(query.status ? { status: query.status } : {}) };
    const [rows, total] = await Promise.all([
      this.prisma.taskTarget.findMany({
        where,
        orderBy: [{ vendor: 'asc' }, { vendorRef: 'asc' }],
        skip: query.skip,
        take: query.pageSize,
      }),
      this.prisma.taskTarget.count({ where }),
    ]);
    return paged(rows.map(toTargetDto), total, query);
  }

  /**
   * Stops a task: targets not sent yet are cancelled at once; targets running at a vendor that can
   * cancel are cancelled there too. Targets at vendors that cannot cancel keep running to their end.
   */
  async cancel(id: string, scope: AccessScope): Promise<TaskDto> {
    const task = await this.task(id, scope);
    if (task.finishedAt) throw new ConflictError(`Task ${id} has already ended (${task.status})`);
    const now = new Date();
    await this.prisma.$transaction([
      this.prisma.task.update({ where: { id }, data: { cancelledAt: now } }),
      this.prisma.taskTarget.updateMany({
        where: { taskId: id, status: 'pending' },
        data: { status: 'cancelled', finishedAt: now, errorCode: 'cancelled', errorMessage: 'cancelled by a user' },
      }),
    ]);
    const accounts = await this.prisma.taskTarget.groupBy({
      by: ['accountId'],
      where: { taskId: id, status: 'running', vendorTaskId: { not: null } },
    });
    for (const { accountId } of accounts) {
      const adapter = await this.accounts.adapterFor(accountId);
      if (!adapter.capabilities.has('tasks.cancel')) continue;
      // The account's running targets a page at a time, in order, so a refused page is not read again.
      let after: string | undefined;
      for (;;) {
        const page = await this.prisma.taskTarget.findMany({
          where: {
            taskId: id,
            accountId,
            status: 'running',
            vendorTaskId: { not: null },
            ...(after ? { id: { gt: after } } : {}),
          },
          select: { id: true, batch: true, vendorTaskId: true, vendorTaskIds: true },
          orderBy: { id: 'asc' },
          take: BATCH_PAGE,
        });
        if (page.length === 0) break;
        after = page[page.length - 1].id;
        // Recorded as cancelled before the vendor is asked: a vendor that reads a device leaving its
        // task as the end of its run (EasyClick) would otherwise let a poll between the two record
        // Fleetgate's own removal as a success. A final target is never moved by a poll.
        await this.prisma.taskTarget.updateMany({
          where: { id: { in: page.map((target) => target.id) }, status: 'running' },
          data: {
            status: 'cancelled',
            finishedAt: new Date(),
            errorCode: 'cancelled',
            errorMessage: 'cancelled by a user',
          },
        });
        // Every vendor task a target owns (TikMatrix answers several for one serial).
        const owned = [...new Set(page.flatMap((target) => [target.vendorTaskId!, ...target.vendorTaskIds]))];
        try {
          await adapter.cancelTasks(owned);
        } catch (error) {
          if (!(error instanceof VendorError)) throw error;
          this.logger.warn({ accountId, err: error.message }, 'vendor refused to cancel; targets run to their end');
          await this.resumeRefusedCancel(task, accountId, page);
          break;
        }
        if (page.length < BATCH_PAGE) break;
      }
    }
    await this.progress.refreshTask(id);
    return this.toDto(await this.task(id, scope));
  }

  /**
   * The vendor refused to cancel: its targets run on, so they are running again and their batches
   * are polled afresh (a poll that found them cancelled meanwhile has stopped).
   */
  private async resumeRefusedCancel(task: Task, accountId: string, claimed: Array<{ id: string; batch: number }>) {
    if (claimed.length === 0) return;
    await this.prisma.$transaction(async (tx) => {
      await tx.taskTarget.updateMany({
        where: { id: { in: claimed.map((target) => target.id) }, status: 'cancelled', errorCode: 'cancelled' },
        data: { status: 'running', finishedAt: null, errorCode: null, errorMessage: null },
      });
      for (const batch of new Set(claimed.map((target) => target.batch))) {
        const ref = { taskId: task.id, accountId, batch, generation: task.generation };
        // A job id of its own: the batch's earlier poll jobs keep theirs, and may have ended.
        const jobId = jobIdOf('tasks.poll', task.id, accountId, batch, `g${task.generation}`, `resumed${Date.now()}`);
        await this.outbox.stage(tx, 'tasks.poll', { ...ref, round: 0 }, jobId);
      }
    });
    this.outbox.relaySoon();
  }

  /** Sends failed and timed-out targets again, as a new generation of dispatch jobs. */
  async retryFailed(id: string, scope: AccessScope): Promise<TaskDto> {
    const task = await this.task(id, scope);
    if (task.cancelledAt) throw new ConflictError(`Task ${id} was cancelled`);
    const retried = { taskId: id, status: { in: ['failed', 'timed_out'] } };
    if (!(await this.prisma.taskTarget.findFirst({ where: retried, select: { id: true } }))) {
      throw new ConflictError(`Task ${id} has no failed targets to retry`);
    }
    const generation = task.generation + 1;
    await this.prisma.$transaction(async (tx) => {
      await tx.task.update({
        where: { id },
        data: { generation, status: 'running', finishedAt: null, abortedAt: null },
      });
      // The batches to send again, a page at a time, read before their targets turn pending.
      let after = { accountId: '00000000-0000-0000-0000-000000000000', batch: -1 };
      for (;;) {
        const batches = await tx.$queryRaw<Array<{ accountId: string; batch: number }>>`
          SELECT DISTINCT account_id::text AS "accountId", batch FROM task_targets
          WHERE task_id = ${id}::uuid AND status IN ('failed', 'timed_out')
            AND (account_id, batch) > (${after.accountId}::uuid, ${after.batch})
          ORDER BY 1, 2 LIMIT ${BATCH_PAGE}`;
        await this.outbox.stageMany(
          tx,
          'tasks.dispatch',
          batches.map(({ accountId, batch }) => {
            const ref = { taskId: id, accountId, batch, generation };
            return { payload: { ...ref, round: 0 }, jobId: dispatchJobId(ref, 0) };
          }),
        );
        if (batches.length < BATCH_PAGE) break;
        after = batches[batches.length - 1];
      }
      await tx.taskTarget.updateMany({
        where: retried,
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
    }, CREATE_TRANSACTION);
    this.outbox.relaySoon();
    return this.toDto(await this.task(id, scope));
  }

  async stats(scope: AccessScope): Promise<TaskStatsDto> {
    const where = tasksInScope(scope);
    const [tasks, targets] = await Promise.all([
      this.prisma.task.groupBy({ by: ['status'], where, _count: { _all: true } }),
      this.prisma.taskTarget.groupBy({ by: ['status'], where: { task: where }, _count: { _all: true } }),
    ]);
    return {
      tasks: Object.fromEntries(tasks.map((row) => [row.status, row._count._all])),
      targets: Object.fromEntries(targets.map((row) => [row.status, row._count._all])),
    };
  }

  /** app.install and file.push may name a catalog artifact: its link, MD5 and package fill the parameters. */
  private async withArtifact(operation: Operation, scope: AccessScope): Promise<Operation> {
    if (operation.type !== 'app.install' && operation.type !== 'file.push') return operation;
    const artifactId = operation.params.artifactId;
    if (!artifactId) return operation;
    const link = await this.artifacts.linkFor(artifactId, operation.type === 'app.install' ? 'app' : 'file', scope);
    if (operation.type === 'app.install') {
      const params = operation.params;
      return {
        type: operation.type,
        params: {
          ...params,
          url: link.url,
          md5: params.md5 ?? link.md5,
          packageName: params.packageName ?? link.packageName,
        },
      };
    }
    const params = operation.params;
    return {
      type: operation.type,
      params: { ...params, url: link.url, md5: params.md5 ?? link.md5, fileName: params.fileName ?? link.fileName },
    };
  }

  private async replay(idempotency: IdempotencyKey, requestHash: string): Promise<TaskDto | undefined> {
    const earlier = await this.prisma.task.findUnique({
      where: {
        idempotencyOwner_idempotencyKey: { idempotencyOwner: idempotency.owner, idempotencyKey: idempotency.key },
      },
    });
    if (!earlier) return undefined;
    if (earlier.requestHash !== requestHash) {
      throw new ConflictError('This Idempotency-Key was used with a different request', [
        { field: 'Idempotency-Key', problem: `already used for task ${earlier.id} with another body` },
      ]);
    }
    return this.toDto(earlier);
  }

  /**
   * The devices a task's targets select, among those the caller's data scope reaches, checked
   * without reading them all: each exists, there are some and no more than TASK_MAX_TARGETS, their
   * vendors support the operation and their accounts are enabled.
   */
  private async resolveTargets(input: CreateTaskDto, scope: AccessScope, type: string): Promise<TargetSelection> {
    const where = { AND: [targetWhere(input.targets), devicesInScope(scope)] };
    if (
      input.targets.groupId &&
      !(await this.prisma.deviceGroup.findUnique({ where: { id: input.targets.groupId } }))
    ) {
      throw new NotFoundError('Device group', input.targets.groupId);
    }
    if (input.targets.accountId) await this.accounts.get(input.targets.accountId);
    if (input.targets.deviceIds) {
      const found = await this.prisma.device.findMany({ where, select: { id: true } });
      const problems = missingDeviceProblems(input.targets.deviceIds, new Set(found.map((device) => device.id)));
      if (problems.length) throw new RuleViolationError('Some target devices do not exist', problems);
    }
    const groups = await this.prisma.device.groupBy({ by: ['accountId', 'vendor'], where, _count: { _all: true } });
    const total = groups.reduce((sum, group) => sum + group._count._all, 0);
    if (total === 0) {
      throw new RuleViolationError('No device matches the targets', [
        { field: 'targets', problem: 'selects no device' },
      ]);
    }
    const max = this.config.TASK_MAX_TARGETS;
    if (total > max) {
      throw new RuleViolationError('The targets select too many devices', [
        {
          field: `targets.${selectionField(input)}`,
          problem: `selects ${total} devices; a task may target at most ${max}`,
        },
      ]);
    }
    await this.refuseUnsupported(where, [...new Set(groups.map((group) => group.vendor))], type);
    await this.refuseDisabledAccounts([...new Set(groups.map((group) => group.accountId))]);
    return { where, total, groups: groups.map(({ accountId, vendor }) => ({ accountId, vendor })) };
  }

  /** A task runs whole or not at all: targets whose vendor lacks the operation are listed and refused. */
  private async refuseUnsupported(where: Prisma.DeviceWhereInput, vendors: string[], type: string): Promise<void> {
    const lacking = vendors.filter((vendor) => !this.registry.definition(vendor)?.capabilities.has(type as never));
    if (lacking.length === 0) return;
    const refusedWhere = { AND: [where, { vendor: { in: lacking } }] };
    const [refused, listed] = await Promise.all([
      this.prisma.device.count({ where: refusedWhere }),
      this.prisma.device.findMany({
        where: refusedWhere,
        select: { id: true, vendor: true, vendorRef: true },
        orderBy: [{ accountId: 'asc' }, { vendorRef: 'asc' }],
        take: 100,
      }),
    ]);
    throw new RuleViolationError(
      `${refused} target(s) cannot run ${type}`,
      listed.map((device) => ({
        field: `targets.${device.id}`,
        problem: `${device.vendor} device ${device.vendorRef} does not support ${type}`,
      })),
    );
  }

  private async refuseDisabledAccounts(accountIds: string[]): Promise<void> {
    const disabled = await this.prisma.vendorAccount.findMany({
      where: { id: { in: accountIds }, enabled: false },
      select: { id: true, vendor: true, name: true },
    });
    if (disabled.length > 0) {
      throw new RuleViolationError(
        'Some targets belong to disabled vendor accounts',
        disabled.map((account) => ({
          field: `targets.account.${account.id}`,
          problem: `${account.vendor} account ${account.name} is disabled`,
        })),
      );
    }
  }

  /**
   * Writes a task's targets and stages their dispatch jobs, a page of units at a time (in account,
   * then reference order), so that no more than a page is ever held. Batches are numbered within each
   * account; with a pace, each batch gets the not-before time its place in the whole task gives it, and
   * its job the same delay.
   */
  private async writeTargets(
    tx: Prisma.TransactionClient,
    task: Task,
    pages: AsyncIterable<TargetUnit[]>,
    batchSize: number,
    perMinute: number | undefined,
  ): Promise<void> {
    let position = 0; // the next device's place in the whole task
    let account = '';
    let inAccount = 0; // the next device's place in its account
    for await (const page of pages) {
      const rows = page.map((device) => {
        if (device.accountId !== account) {
          account = device.accountId;
          inAccount = 0;
        }
        const batch = Math.floor(inAccount / batchSize);
        const delayMs = rolloutDelayMs(position - (inAccount % batchSize), perMinute);
        const opensBatch = inAccount % batchSize === 0;
        inAccount++;
        position++;
        return { device, batch, delayMs, opensBatch };
      });
      // One statement with array parameters per page: thousands of targets in a few milliseconds,
      // where a row-per-parameter insert takes seconds.
      await tx.$executeRaw`
        INSERT INTO task_targets (id, task_id, device_id, account_id, vendor, vendor_ref, batch, not_before, updated_at)
        SELECT gen_random_uuid(), ${task.id}::uuid, r.device_id::uuid, r.account_id::uuid, r.vendor, r.vendor_ref,
               r.batch, CASE WHEN r.delay_ms > 0 THEN ${task.createdAt}::timestamptz + r.delay_ms * interval '1 millisecond' END,
               now()
        FROM unnest(${rows.map((row) => row.device.id)}::text[], ${rows.map((row) => row.device.accountId)}::text[],
                    ${rows.map((row) => row.device.vendor)}::text[], ${rows.map((row) => row.device.vendorRef)}::text[],
                    ${rows.map((row) => row.batch)}::int[], ${rows.map((row) => row.delayMs)}::bigint[])
             AS r(device_id, account_id, vendor, vendor_ref, batch, delay_ms)`;
      await this.outbox.stageMany(
        tx,
        'tasks.dispatch',
        rows
          .filter((row) => row.opensBatch)
          .map(({ device, batch, delayMs }) => {
            const ref = { taskId: task.id, accountId: device.accountId, batch, generation: 0 };
            return { payload: { ...ref, round: 0 }, jobId: dispatchJobId(ref, 0), delayMs };
          }),
      );
    }
  }

  /** A task the scope reaches; one outside it is not found, so that its existence does not leak. */
  private async task(id: string, scope: AccessScope): Promise<Task> {
    const task = await this.prisma.task.findFirst({ where: { id, ...tasksInScope(scope) } });
    if (!task) throw new NotFoundError('Task', id);
    return task;
  }

  private async toDto(task: Task): Promise<TaskDto> {
    return toTaskDto(task, (await this.countsOf([task.id])).get(task.id));
  }

  private async countsOf(taskIds: string[]): Promise<Map<string, TaskCountsDto>> {
    const rows = await this.prisma.taskTarget.groupBy({
      by: ['taskId', 'status'],
      where: { taskId: { in: taskIds } },
      _count: { _all: true },
    });
    const counts = new Map<string, TaskCountsDto>();
    for (const row of rows) {
      const entry = counts.get(row.taskId) ?? emptyCounts();
      const bucket = row.status === 'dispatching' ? 'running' : (row.status as keyof TaskCountsDto);
      entry[bucket] += row._count._all;
      entry.total += row._count._all;
      counts.set(row.taskId, entry);
    }
    return counts;
  }
}

export function dispatchJobId(
  ref: { taskId: string; accountId: string; batch: number; generation: number },
  round: number,
): string {
  return jobIdOf('tasks.dispatch', ref.taskId, ref.accountId, ref.batch, `g${ref.generation}`, `r${round}`);
}

/** The devices a selection chooses, TARGET_PAGE at a time in (account, vendor ref) order, never all in memory. */
async function* devicePages(tx: Prisma.TransactionClient, where: Prisma.DeviceWhereInput): AsyncIterable<TargetUnit[]> {
  let after: { accountId: string; vendorRef: string } | undefined;
  for (;;) {
    const page = await tx.device.findMany({
      where: after
        ? {
            AND: [
              where,
              {
                OR: [
                  { accountId: { gt: after.accountId } },
                  { accountId: after.accountId, vendorRef: { gt: after.vendorRef } },
                ],
              },
            ],
          }
        : where,
      select: { id: true, vendor: true, accountId: true, vendorRef: true },
      orderBy: [{ accountId: 'asc' }, { vendorRef: 'asc' }],
      take: TARGET_PAGE,
    });
    if (page.length > 0) yield page;
    if (page.length < TARGET_PAGE) return;
    const last = page[page.length - 1];
    after = { accountId: last.accountId, vendorRef: last.vendorRef };
  }
}

async function* oneBatchOf(units: TargetUnit[]): AsyncIterable<TargetUnit[]> {
  yield units;
}

/** The one way of choosing devices a request used, named as its field. */
function selectionField(input: CreateTaskDto): string {
  return (['deviceIds', 'groupId', 'filter', 'accountId'] as const).find((key) => input.targets[key] !== undefined)!;
}

/**
 * Usernames mode: the vendor runs the script for each named account on whichever device holds it, so
 * each username is a target of its own (no device), in the one account the target devices belong to
 * (which also puts the farm in the caller's data scope); each batch then sends its own usernames.
 */
function usernameTargets(groups: Array<{ accountId: string; vendor: string }>, usernames: string[]): TargetUnit[] {
  const field = 'operation.params.usernames';
  const others = [...new Set(groups.map((group) => group.vendor))].filter((vendor) => !USERNAME_VENDORS.has(vendor));
  if (others.length > 0) {
    throw new RuleViolationError('Only TikMatrix runs scripts for usernames', [
      { field, problem: `the targets include ${others.join(', ')} devices, which cannot run scripts by username` },
    ]);
  }
  const accountIds = [...new Set(groups.map((group) => group.accountId))];
  if (accountIds.length !== 1) {
    throw new RuleViolationError('Usernames belong to one TikMatrix farm', [
      { field, problem: 'the targets must be devices of one vendor account' },
    ]);
  }
  return [...new Set(usernames)]
    .sort()
    .map((vendorRef) => ({ id: null, vendor: groups[0].vendor, accountId: accountIds[0], vendorRef }));
}

function emptyCounts(): TaskCountsDto {
  return { pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, timed_out: 0, total: 0 };
}

/** JSON with sorted keys, so that one request body always hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function toTaskDto(task: Task, counts: TaskCountsDto = emptyCounts()): TaskDto {
  return {
    id: task.id,
    number: task.number.toString(),
    operation: {
      type: task.operationType as TaskDto['operation']['type'],
      params: task.params as Record<string, unknown>,
    },
    targets: task.targetSpec as Record<string, unknown>,
    status: task.status as TaskDto['status'],
    counts,
    rollout:
      task.rolloutPerMinute || task.abortFailurePercent || task.abortMinTargets
        ? {
            targetsPerMinute: task.rolloutPerMinute ?? undefined,
            abortFailurePercent: task.abortFailurePercent ?? undefined,
            abortMinTargets: task.abortMinTargets ?? undefined,
          }
        : undefined,
    targetTimeoutSeconds: task.targetTimeoutSeconds,
    offlineTtlSeconds: task.offlineTtlSeconds,
    abortedAt: task.abortedAt,
    cancelledAt: task.cancelledAt,
    createdAt: task.createdAt,
    finishedAt: task.finishedAt,
  };
}

export function toTargetDto(target: TaskTarget): TaskTargetDto {
  return {
    id: target.id,
    deviceId: target.deviceId,
    vendor: target.vendor as VendorName,
    accountId: target.accountId,
    vendorRef: target.vendorRef,
    status: target.status,
    vendorTaskId: target.vendorTaskId,
    vendorTaskIds: target.vendorTaskIds ?? [],
    vendorStatus: target.vendorStatus,
    result: target.result ?? undefined,
    error: target.errorCode ? { code: target.errorCode, message: target.errorMessage ?? '' } : null,
    attempts: target.attempts,
    waitUntil: target.waitUntil,
    dispatchedAt: target.dispatchedAt,
    finishedAt: target.finishedAt,
  };
}
