import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { DataScope, Principal } from '@fleetgate/auth';
import type { Operation, VendorName } from '@fleetgate/domain';
import { NumberSegmentAllocator, Prisma, PrismaService, type Task, type TaskTarget } from '@fleetgate/persistence';
import { ApiError, paged, type FieldProblem, type Paged } from '@fleetgate/platform';
import { jobIdOf, Outbox } from '@fleetgate/queues';
import { VendorAccountService, VendorError, VendorRegistry } from '@fleetgate/vendors';
import { ArtifactService } from '../artifacts/artifact.service';
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

interface TargetDevice {
  id: string;
  vendor: string;
  accountId: string;
  vendorRef: string;
}

/** What a task's target rows are made of: a device, or a vendor-side account with no device (id null). */
type TargetUnit = Omit<TargetDevice, 'id'> & { id: string | null };

/** Vendors that run scripts for accounts named by username (TikMatrix usernames mode). */
const USERNAME_VENDORS: ReadonlySet<string> = new Set(['tikmatrix']);

/**
 * How long creating a task (its targets and dispatch jobs, in one transaction) may take. A task over
 * 100,000 devices writes as many targets: on a busy machine that outlasted Prisma's default 5 s for
 * an interactive transaction, and the task was refused with a 500.
 */
const CREATE_TRANSACTION = { timeout: 120_000, maxWait: 10_000 };

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
  ) {}

  async create(input: CreateTaskDto, principal: Principal | undefined, idempotencyKey?: string): Promise<CreatedTask> {
    const requestHash = createHash('sha256').update(stableJson(input)).digest('hex');
    if (idempotencyKey) {
      const earlier = await this.replay(idempotencyKey, requestHash);
      if (earlier) return { task: earlier, created: false };
    }
    const operation = await this.withArtifact(checkOperation(input.operation.type, input.operation.params ?? {}));
    const devices = await this.resolveTargets(input, principal?.scope);
    this.refuseUnsupported(devices, operation.type);
    await this.refuseDisabledAccounts(devices);
    const usernames = operation.type === 'script.start' ? operation.params.usernames : undefined;
    const units = usernames?.length ? usernameTargets(devices, usernames) : devices;

    const perMinute = input.rollout?.targetsPerMinute;
    // With a pace, small batches spread evenly (about every 5 s) rather than a hundred at once.
    const batchSize = perMinute
      ? Math.min(DISPATCH_BATCH_SIZE, Math.max(1, Math.ceil(perMinute / 12)))
      : DISPATCH_BATCH_SIZE;
    const batches = planBatches(units, batchSize);
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
            idempotencyKey,
            requestHash,
            rolloutPerMinute: perMinute,
            abortFailurePercent: input.rollout?.abortFailurePercent,
            abortMinTargets: input.rollout?.abortMinTargets,
            targetTimeoutSeconds: input.targetTimeoutSeconds ?? DEFAULT_TARGET_TIMEOUT_SECONDS,
            offlineTtlSeconds: input.offlineTtlSeconds,
            createdById: principal?.userId,
            departmentId: principal?.departmentId,
          },
        });
        // One statement with array parameters: 10,000 targets in a few milliseconds, where a
        // row-per-parameter insert takes seconds.
        const rows = batches.flatMap(({ batch, devices }) => devices.map((device) => ({ device, batch })));
        await tx.$executeRaw`
          INSERT INTO task_targets (id, task_id, device_id, account_id, vendor, vendor_ref, batch, updated_at)
          SELECT gen_random_uuid(), ${task.id}::uuid, r.device_id::uuid, r.account_id::uuid, r.vendor, r.vendor_ref,
                 r.batch, now()
          FROM unnest(${rows.map((row) => row.device.id)}::text[], ${rows.map((row) => row.device.accountId)}::text[],
                      ${rows.map((row) => row.device.vendor)}::text[], ${rows.map((row) => row.device.vendorRef)}::text[],
                      ${rows.map((row) => row.batch)}::int[])
               AS r(device_id, account_id, vendor, vendor_ref, batch)`;
        let before = 0;
        await this.outbox.stageMany(
          tx,
          'tasks.dispatch',
          batches.map(({ accountId, batch, devices }) => {
            const ref = { taskId: task.id, accountId, batch, generation: 0 };
            const delayMs = rolloutDelayMs(before, perMinute);
            before += devices.length;
            return { payload: { ...ref, round: 0 }, jobId: dispatchJobId(ref, 0), delayMs };
          }),
        );
        return task;
      }, CREATE_TRANSACTION);
      this.outbox.relaySoon();
      return { task: await this.toDto(task), created: true };
    } catch (error) {
      // Two requests with one key at once: the loser answers what the winner created.
      if (idempotencyKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const earlier = await this.replay(idempotencyKey, requestHash);
        if (earlier) return { task: earlier, created: false };
      }
      throw error;
    }
  }

  async list(query: TaskQueryDto, scope?: DataScope): Promise<Paged<TaskDto>> {
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

  async get(id: string, scope?: DataScope): Promise<TaskDetailDto> {
    const task = await this.task(id, scope);
    const targets = await this.prisma.taskTarget.findMany({
      where: { taskId: id },
      orderBy: [{ vendor: 'asc' }, { vendorRef: 'asc' }],
      take: DETAIL_TARGET_ROWS,
    });
    return { ...(await this.toDto(task)), targetRows: targets.map(toTargetDto) };
  }

  async targets(id: string, query: TaskTargetQueryDto, scope?: DataScope): Promise<Paged<TaskTargetDto>> {
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
  async cancel(id: string, scope?: DataScope): Promise<TaskDto> {
    const task = await this.task(id, scope);
    if (task.finishedAt) throw ApiError.conflict(`Task ${id} has already ended (${task.status})`);
    const now = new Date();
    await this.prisma.$transaction([
      this.prisma.task.update({ where: { id }, data: { cancelledAt: now } }),
      this.prisma.taskTarget.updateMany({
        where: { taskId: id, status: 'pending' },
        data: { status: 'cancelled', finishedAt: now, errorCode: 'cancelled', errorMessage: 'cancelled by a user' },
      }),
    ]);
    const running = await this.prisma.taskTarget.findMany({
      where: { taskId: id, status: 'running', vendorTaskId: { not: null } },
      select: { accountId: true, vendorTaskId: true, vendorTaskIds: true },
    });
    for (const [accountId, vendorTaskIds] of groupBy(running, (target) => target.accountId)) {
      const adapter = await this.accounts.adapterFor(accountId);
      if (!adapter.capabilities.has('tasks.cancel')) continue;
      const owned = [
        ...new Set(vendorTaskIds.flatMap((target) => [target.vendorTaskId!, ...(target.vendorTaskIds ?? [])])),
      ];
      const ids = [...new Set(vendorTaskIds.map((target) => target.vendorTaskId!))];
      try {
        await adapter.cancelTasks(owned);
      } catch (error) {
        if (!(error instanceof VendorError)) throw error;
        this.logger.warn({ accountId, err: error.message }, 'vendor refused to cancel; targets run to their end');
        continue;
      }
      await this.prisma.taskTarget.updateMany({
        where: { taskId: id, accountId, status: 'running', vendorTaskId: { in: ids } },
        data: {
          status: 'cancelled',
          finishedAt: new Date(),
          errorCode: 'cancelled',
          errorMessage: 'cancelled by a user',
        },
      });
    }
    await this.progress.refreshTask(id);
    return this.toDto(await this.task(id));
  }

  /** Sends failed and timed-out targets again, as a new generation of dispatch jobs. */
  async retryFailed(id: string, scope?: DataScope): Promise<TaskDto> {
    const task = await this.task(id, scope);
    if (task.cancelledAt) throw ApiError.conflict(`Task ${id} was cancelled`);
    const failed = await this.prisma.taskTarget.findMany({
      where: { taskId: id, status: { in: ['failed', 'timed_out'] } },
      select: { accountId: true, batch: true },
    });
    if (failed.length === 0) throw ApiError.conflict(`Task ${id} has no failed targets to retry`);
    const generation = task.generation + 1;
    await this.prisma.$transaction(async (tx) => {
      await tx.task.update({
        where: { id },
        data: { generation, status: 'running', finishedAt: null, abortedAt: null },
      });
      await tx.taskTarget.updateMany({
        where: { taskId: id, status: { in: ['failed', 'timed_out'] } },
        data: {
          status: 'pending',
          vendorTaskId: null,
          vendorTaskIds: [],
          vendorStatus: null,
          result: Prisma.DbNull,
          errorCode: null,
          errorMessage: null,
          waitUntil: null,
          dispatchedAt: null,
          deadlineAt: null,
          finishedAt: null,
        },
      });
      const batches = new Set(failed.map((target) => `${target.accountId}/${target.batch}`));
      for (const key of batches) {
        const [accountId, batch] = key.split('/');
        const ref = { taskId: id, accountId, batch: Number(batch), generation };
        await this.outbox.stage(tx, 'tasks.dispatch', { ...ref, round: 0 }, dispatchJobId(ref, 0));
      }
    });
    this.outbox.relaySoon();
    return this.toDto(await this.task(id));
  }

  async stats(scope?: DataScope): Promise<TaskStatsDto> {
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
  private async withArtifact(operation: Operation): Promise<Operation> {
    if (operation.type !== 'app.install' && operation.type !== 'file.push') return operation;
    const artifactId = operation.params.artifactId;
    if (!artifactId) return operation;
    const link = await this.artifacts.linkFor(artifactId, operation.type === 'app.install' ? 'app' : 'file');
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

  private async replay(idempotencyKey: string, requestHash: string): Promise<TaskDto | undefined> {
    const earlier = await this.prisma.task.findUnique({ where: { idempotencyKey } });
    if (!earlier) return undefined;
    if (earlier.requestHash !== requestHash) {
      throw ApiError.conflict('This Idempotency-Key was used with a different request', [
        { field: 'Idempotency-Key', problem: `already used for task ${earlier.id} with another body` },
      ]);
    }
    return this.toDto(earlier);
  }

  /** The devices a task's targets select, among those the caller's data scope reaches. */
  private async resolveTargets(input: CreateTaskDto, scope: DataScope | undefined): Promise<TargetDevice[]> {
    const where = { AND: [targetWhere(input.targets), devicesInScope(scope)] };
    if (
      input.targets.groupId &&
      !(await this.prisma.deviceGroup.findUnique({ where: { id: input.targets.groupId } }))
    ) {
      throw ApiError.notFound('Device group', input.targets.groupId);
    }
    if (input.targets.accountId) await this.accounts.get(input.targets.accountId);
    const devices = await this.prisma.device.findMany({
      where,
      select: { id: true, vendor: true, accountId: true, vendorRef: true },
      orderBy: [{ accountId: 'asc' }, { vendorRef: 'asc' }],
    });
    if (input.targets.deviceIds) {
      const problems = missingDeviceProblems(input.targets.deviceIds, new Set(devices.map((device) => device.id)));
      if (problems.length) throw ApiError.unprocessable('Some target devices do not exist', problems);
    }
    if (devices.length === 0) {
      throw ApiError.unprocessable('No device matches the targets', [
        { field: 'targets', problem: 'selects no device' },
      ]);
    }
    return devices;
  }

  /** A task runs whole or not at all: targets whose vendor lacks the operation are listed and refused. */
  private refuseUnsupported(devices: TargetDevice[], type: string): void {
    const problems: FieldProblem[] = [];
    let refused = 0;
    for (const device of devices) {
      const definition = this.registry.definition(device.vendor);
      if (definition?.capabilities.has(type as never)) continue;
      refused++;
      if (problems.length < 100) {
        problems.push({
          field: `targets.${device.id}`,
          problem: `${device.vendor} device ${device.vendorRef} does not support ${type}`,
        });
      }
    }
    if (refused > 0) {
      throw ApiError.unprocessable(`${refused} target(s) cannot run ${type}`, problems);
    }
  }

  private async refuseDisabledAccounts(devices: TargetDevice[]): Promise<void> {
    const accountIds = [...new Set(devices.map((device) => device.accountId))];
    const disabled = await this.prisma.vendorAccount.findMany({
      where: { id: { in: accountIds }, enabled: false },
      select: { id: true, vendor: true, name: true },
    });
    if (disabled.length > 0) {
      throw ApiError.unprocessable(
        'Some targets belong to disabled vendor accounts',
        disabled.map((account) => ({
          field: `targets.account.${account.id}`,
          problem: `${account.vendor} account ${account.name} is disabled`,
        })),
      );
    }
  }

  /** A task the scope reaches; one outside it is not found, so that its existence does not leak. */
  private async task(id: string, scope?: DataScope): Promise<Task> {
    const task = await this.prisma.task.findFirst({ where: { id, ...tasksInScope(scope) } });
    if (!task) throw ApiError.notFound('Task', id);
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

/**
 * Usernames mode: the vendor runs the script for each named account on whichever device holds it, so
 * each username is a target of its own (no device), in the one account the target devices belong to
 * (which also puts the farm in the caller's data scope); each batch then sends its own usernames.
 */
function usernameTargets(devices: TargetDevice[], usernames: string[]): TargetUnit[] {
  const field = 'operation.params.usernames';
  const others = [...new Set(devices.map((device) => device.vendor))].filter((vendor) => !USERNAME_VENDORS.has(vendor));
  if (others.length > 0) {
    throw ApiError.unprocessable('Only TikMatrix runs scripts for usernames', [
      { field, problem: `the targets include ${others.join(', ')} devices, which cannot run scripts by username` },
    ]);
  }
  const accountIds = [...new Set(devices.map((device) => device.accountId))];
  if (accountIds.length !== 1) {
    throw ApiError.unprocessable('Usernames belong to one TikMatrix farm', [
      { field, problem: 'the targets must be devices of one vendor account' },
    ]);
  }
  return [...new Set(usernames)].map((vendorRef) => ({
    id: null,
    vendor: devices[0].vendor,
    accountId: accountIds[0],
    vendorRef,
  }));
}

function planBatches(devices: TargetUnit[], batchSize: number) {
  const batches: Array<{ accountId: string; batch: number; devices: TargetUnit[] }> = [];
  for (const [accountId, ofAccount] of groupBy(devices, (device) => device.accountId)) {
    for (let start = 0; start < ofAccount.length; start += batchSize) {
      batches.push({ accountId, batch: start / batchSize, devices: ofAccount.slice(start, start + batchSize) });
    }
  }
  return batches;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
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
