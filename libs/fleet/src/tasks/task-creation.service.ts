import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConflictError } from '@fleetgate/domain';
import type { Operation } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import { type Db, NumberSegmentAllocator, Prisma, type Task, Transactions } from '@fleetgate/persistence';
import { jobIdOf, Outbox } from '@fleetgate/queues';
import { ArtifactService } from '../artifacts/artifact.service';
import { type AccessScope, systemScope } from '../scope/access-scope';
import { checkOperation } from './operation-params';
import { dispatchJobId } from './task-dispatcher';
import { TaskTargetRepository } from './task-target.repository';
import {
  type AcceptedSelection,
  DISPATCH_BATCH_SIZE,
  readAcceptedSelection,
  rolloutDelayMs,
  TaskTargeting,
  type TargetUnit,
  usernameTargets,
} from './task-targeting';
import { TaskProgress } from './task-progress';
import { TaskRepository } from './task.repository';
import { taskCounts, toTaskDto } from './task-view';
import type { CreateTaskDto, TaskDto, TaskTargetsDto } from './task.dto';

/** The worker writes the targets of tasks of every scope, each within the scope it was accepted in. */
const PREPARE_SCOPE = systemScope('the worker writes the targets of a task accepted in any scope');

const DEFAULT_TARGET_TIMEOUT_SECONDS = 900;

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

/** A key's earlier task is its owner's, whatever the scope reaches now: the key names the owner. */
const IDEMPOTENCY_SCOPE = systemScope('an Idempotency-Key is looked up within its owner, not a data scope');

/**
 * How long creating a task (its targets and dispatch jobs, in one transaction) may take. Targets are
 * written a page at a time by array statements: 100,000 take about 20 s on a 2-core machine at a load
 * of 16, a few seconds on an idle one.
 */
const CREATE_TRANSACTION = { timeoutMs: 60_000, maxWaitMs: 10_000 };
/** Devices read and targets written per statement while creating a task, so that none is held whole. */
const TARGET_PAGE = 10_000;

/**
 * Creates fleet tasks: validated, capability-checked, replayed for a repeated Idempotency-Key, and
 * written with their targets and dispatch jobs in one transaction, paced when the rollout asks. A task
 * of more than TASK_INLINE_TARGETS devices is stored with its selection and answered at once; the
 * worker writes its targets (writeTargetsOf) in a transaction of their own.
 */
@Injectable()
export class TaskCreationService {
  private readonly logger = new Logger(TaskCreationService.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly targets: TaskTargetRepository,
    private readonly targeting: TaskTargeting,
    private readonly transactions: Transactions,
    private readonly outbox: Outbox,
    private readonly artifacts: ArtifactService,
    private readonly numbers: NumberSegmentAllocator,
    private readonly config: FleetgateConfig,
    private readonly progress: TaskProgress,
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
    const selection = await this.targeting.resolve(input.targets, scope, operation.type);
    const usernames = operation.type === 'script.start' ? operation.params.usernames : undefined;
    const usernameUnits = usernames?.length ? usernameTargets(selection.groups, usernames) : undefined;

    const perMinute = input.rollout?.targetsPerMinute;
    const batchSize = dispatchBatchSize(perMinute);
    // Taken before the transaction: a refill must not wait inside it, and a rolled-back task only skips a number.
    const number = await this.numbers.next('task');

    // Written after the 202 when waiting for them would keep the caller seconds; a username
    // selection is a list the request holds, so it is always written at once.
    const deferred = !usernameUnits && selection.total > this.config.TASK_INLINE_TARGETS;
    try {
      const task = await this.transactions.run(async (tx) => {
        const task = await this.tasks.create(
          scope,
          {
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
            targetsSelected: selection.total,
            targetsWrittenAt: deferred ? null : new Date(),
            acceptedSelection: deferred ? acceptedSelectionJson(scope, selection.groups) : undefined,
          },
          tx,
        );
        if (deferred) {
          await this.outbox.stage(tx, 'tasks.prepare', { taskId: task.id }, jobIdOf('tasks.prepare', task.id));
          return task;
        }
        const units = usernameUnits
          ? oneBatchOf(usernameUnits)
          : this.targeting.devicePages(scope, selection, TARGET_PAGE, tx);
        await this.writeTargets(scope, tx, task, units, batchSize, perMinute);
        return task;
      }, CREATE_TRANSACTION);
      this.outbox.relaySoon();
      return { task: await this.view(task, scope), created: true };
    } catch (error) {
      // Two requests with one key at once: the loser answers what the winner created.
      if (idempotency && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const earlier = await this.replay(idempotency, requestHash);
        if (earlier) return { task: earlier, created: false };
      }
      throw error;
    }
  }

  /**
   * Writes the targets of a task that was answered before they were written, and stages their
   * dispatch jobs, in one transaction that holds the task's row: a second writer at once waits and
   * then finds them written, and a cancel waits for them or finds the task cancelled, when nothing is
   * written. The targets are the devices the task's selection held when it was accepted (created by
   * then) that are still there and still in the scope it was accepted in, in the accounts it was
   * checked against; a device added or deleted since is not a target.
   */
  async writeTargetsOf(taskId: string): Promise<void> {
    const written = await this.transactions.run(async (tx) => {
      const task = await this.tasks.lockUnwritten(PREPARE_SCOPE, taskId, tx);
      if (!task) return undefined;
      await this.tasks.markTargetsWritten(PREPARE_SCOPE, taskId, tx);
      const accepted = readAcceptedSelection(task.acceptedSelection);
      if (!accepted) {
        // Without a readable scope and accounts no device is known to be the caller's: nothing is sent,
        // and the task ends rather than failing (or ending succeeded) each time the sweeper brings it back.
        this.logger.error({ taskId }, 'the stored selection of a task cannot be read; the task is cancelled');
        await this.tasks.markStopped(PREPARE_SCOPE, taskId, 'cancelled', new Date(), tx);
        return 0;
      }
      const selection = this.targeting.writtenSelection(
        task.targetSpec as unknown as TaskTargetsDto,
        accepted,
        task.createdAt,
      );
      const perMinute = task.rolloutPerMinute ?? undefined;
      const pages = this.targeting.devicePages(accepted.scope, selection, TARGET_PAGE, tx);
      return this.writeTargets(accepted.scope, tx, task, pages, dispatchBatchSize(perMinute), perMinute);
    }, CREATE_TRANSACTION);
    if (written === undefined) return;
    this.outbox.relaySoon();
    // Every selected device was deleted meanwhile: the task has no target to wait for, and ends failed.
    if (written === 0) await this.progress.refreshTask(taskId);
  }

  /**
   * The devices a task with these targets would select within the scope, in id order, for a caller
   * that divides them (a scheduled job's broadcast shards) before creating tasks of its parts.
   */
  targetDeviceIds(targets: TaskTargetsDto, scope: AccessScope): Promise<string[]> {
    return this.targeting.deviceIds(targets, scope);
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
    const earlier = await this.tasks.findByIdempotencyKey(IDEMPOTENCY_SCOPE, idempotency.owner, idempotency.key);
    if (!earlier) return undefined;
    if (earlier.requestHash !== requestHash) {
      throw new ConflictError('This Idempotency-Key was used with a different request', [
        { field: 'Idempotency-Key', problem: `already used for task ${earlier.id} with another body` },
      ]);
    }
    return this.view(earlier, IDEMPOTENCY_SCOPE);
  }

  /**
   * Writes a task's targets and stages their dispatch jobs, a page of units at a time (in account,
   * then reference order), so that no more than a page is ever held. Batches are numbered within each
   * account; with a pace, each batch gets the not-before time its place in the whole task gives it, and
   * its job the same delay.
   */
  private async writeTargets(
    scope: AccessScope,
    tx: Db,
    task: Task,
    pages: AsyncIterable<TargetUnit[]>,
    batchSize: number,
    perMinute: number | undefined,
  ): Promise<number> {
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
      await this.targets.insert(
        scope,
        task,
        rows.map(({ device, batch, delayMs }) => ({
          deviceId: device.id,
          accountId: device.accountId,
          vendor: device.vendor,
          vendorRef: device.vendorRef,
          batch,
          delayMs,
        })),
        tx,
      );
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
    return position;
  }

  private async view(task: Task, scope: AccessScope): Promise<TaskDto> {
    return toTaskDto(task, taskCounts(await this.targets.countsByTask(scope, [task.id])).get(task.id));
  }
}

/** What a task answered before its targets are written keeps of its selection (AcceptedSelection). */
function acceptedSelectionJson(scope: AccessScope, groups: Array<{ accountId: string }>): Prisma.InputJsonValue {
  const accepted: AcceptedSelection = { scope, accountIds: [...new Set(groups.map((group) => group.accountId))] };
  return accepted as unknown as Prisma.InputJsonValue;
}

/** With a pace, small batches spread evenly (about every 5 s) rather than a hundred at once. */
function dispatchBatchSize(perMinute: number | undefined): number {
  return perMinute ? Math.min(DISPATCH_BATCH_SIZE, Math.max(1, Math.ceil(perMinute / 12))) : DISPATCH_BATCH_SIZE;
}

async function* oneBatchOf(units: TargetUnit[]): AsyncIterable<TargetUnit[]> {
  yield units;
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
