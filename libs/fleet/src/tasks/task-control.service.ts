import { Injectable, Logger } from '@nestjs/common';
import { ConflictError } from '@fleetgate/domain';
import { Transactions } from '@fleetgate/persistence';
import { Outbox } from '@fleetgate/queues';
import { VendorAccountService, VendorError } from '@fleetgate/vendors';
import type { AccessScope } from '../scope/access-scope';
import { dispatchJobId } from './task-dispatcher';
import { TaskProgress } from './task-progress';
import { TaskQueryService } from './task-query.service';
import { TaskTargetRepository } from './task-target.repository';
import { TaskRepository } from './task.repository';
import type { TaskDto } from './task.dto';

/** How long a retry (its targets and dispatch jobs, in one transaction) may take, as long as a creation. */
const RETRY_TRANSACTION = { timeoutMs: 60_000, maxWaitMs: 10_000 };
/** Failed batches staged again, or vendor tasks cancelled, per round. */
const BATCH_PAGE = 1_000;
const CANCELLED_BY_USER = { code: 'cancelled', message: 'cancelled by a user' };

/** What users do to a task once it runs: cancel it, or send its failed targets again. */
@Injectable()
export class TaskControlService {
  private readonly logger = new Logger(TaskControlService.name);

  constructor(
    private readonly queries: TaskQueryService,
    private readonly tasks: TaskRepository,
    private readonly targets: TaskTargetRepository,
    private readonly progress: TaskProgress,
    private readonly accounts: VendorAccountService,
    private readonly transactions: Transactions,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Stops a task: targets not sent yet are cancelled at once; targets running at a vendor that can
   * cancel are cancelled there too. Targets at vendors that cannot cancel keep running to their end.
   * Every target state changes through TaskProgress.
   */
  async cancel(id: string, scope: AccessScope): Promise<TaskDto> {
    const task = await this.queries.find(id, scope);
    if (task.finishedAt) throw new ConflictError(`Task ${id} has already ended (${task.status})`);
    await this.progress.stopUnsent(scope, id, 'cancelled', CANCELLED_BY_USER);
    for (const accountId of await this.targets.accountsRunning(scope, id)) {
      const adapter = await this.accounts.adapterFor(accountId);
      if (!adapter.capabilities.has('tasks.cancel')) continue;
      // The account's running targets a page at a time, in order, so a refused page is not read again.
      let after: string | undefined;
      for (;;) {
        const page = await this.targets.runningPage(scope, id, accountId, after, BATCH_PAGE);
        if (page.length === 0) break;
        after = page[page.length - 1].id;
        // Recorded as cancelled before the vendor is asked: a vendor that reads a device leaving its
        // task as the end of its run (EasyClick) would otherwise let a poll between the two record
        // Fleetgate's own removal as a success. A final target is never moved by a poll.
        await this.progress.moveTargets(scope, page, { status: 'cancelled', error: CANCELLED_BY_USER });
        // Every vendor task a target owns (TikMatrix answers several for one serial).
        const owned = [...new Set(page.flatMap((target) => [target.vendorTaskId!, ...target.vendorTaskIds]))];
        try {
          await adapter.cancelTasks(owned);
        } catch (error) {
          if (!(error instanceof VendorError)) throw error;
          this.logger.warn({ accountId, err: error.message }, 'vendor refused to cancel; targets run to their end');
          await this.progress.resumeStopped(
            scope,
            accountId,
            page.map((target) => ({ ...target, taskId: id })),
            new Map([[id, task.generation]]),
          );
          break;
        }
        if (page.length < BATCH_PAGE) break;
      }
    }
    await this.progress.refreshTask(id);
    return this.queries.view(await this.queries.find(id, scope), scope);
  }

  /** Sends failed and timed-out targets again, as a new generation of dispatch jobs. */
  async retryFailed(id: string, scope: AccessScope): Promise<TaskDto> {
    const task = await this.queries.find(id, scope);
    if (task.cancelledAt) throw new ConflictError(`Task ${id} was cancelled`);
    if (!(await this.targets.hasRetryable(scope, id))) {
      throw new ConflictError(`Task ${id} has no failed targets to retry`);
    }
    const generation = task.generation + 1;
    await this.transactions.run(async (tx) => {
      await this.tasks.startGeneration(scope, id, generation, tx);
      // The batches to send again, a page at a time, read before their targets turn pending.
      let after = { accountId: '00000000-0000-0000-0000-000000000000', batch: -1 };
      for (;;) {
        const batches = await this.targets.retryableBatches(scope, id, after, BATCH_PAGE, tx);
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
      await this.targets.resetRetryable(scope, id, tx);
    }, RETRY_TRANSACTION);
    this.outbox.relaySoon();
    return this.queries.view(await this.queries.find(id, scope), scope);
  }
}
