import type { Operation, VendorDevice } from '@fleetgate/domain';
import type {
  DevicePage,
  DispatchOutcome,
  VendorAdapter,
  VendorEvent,
  VendorTaskProgress,
} from '../core/vendor-adapter';
import { VendorError } from '../core/vendor-error';
import { TIKMATRIX_CAPABILITIES } from './tikmatrix-capabilities';
import type { TikmatrixClient } from './tikmatrix-client';
import { taskStatusOf } from './tikmatrix-mapper';

/** Serials per create call; the document sets no limit, so this keeps request bodies modest. */
export const TIKMATRIX_BATCH_SIZE = 100;

/**
 * Stop refusals that mean the task has ended already: 40901, the task is not pending or running, and
 * 40401, the farm has no such task. The document lists only 40301; these follow its pattern (README).
 */
const TASK_ALREADY_ENDED_CODES: ReadonlySet<string> = new Set(['40901', '40401']);

export class TikmatrixAdapter implements VendorAdapter {
  readonly vendor = 'tikmatrix' as const;
  readonly capabilities = TIKMATRIX_CAPABILITIES;

  constructor(private readonly client: TikmatrixClient) {}

  async testConnection(): Promise<void> {
    await this.client.checkLicense();
  }

  async listDevices(): Promise<DevicePage> {
    throw VendorError.unsupported(this.vendor, 'devices.list');
  }

  async getDevice(): Promise<VendorDevice> {
    throw VendorError.unsupported(this.vendor, 'devices.get');
  }

  /**
   * script.start sends the targets given: serials (device mode), or usernames when the operation names
   * usernames (account mode: the task engine then makes one target per username, and each batch
   * brings its own). script.stop stops the TikMatrix task named in the parameters.
   */
  async dispatch(operation: Operation, vendorRefs: string[]): Promise<DispatchOutcome[]> {
    switch (operation.type) {
      case 'script.start': {
        const { script, config, usernames } = operation.params;
        const byAccount = !!usernames?.length;
        const outcomes: DispatchOutcome[] = [];
        for (let start = 0; start < vendorRefs.length; start += TIKMATRIX_BATCH_SIZE) {
          const batch = vendorRefs.slice(start, start + TIKMATRIX_BATCH_SIZE);
          const { task_ids } = await this.client.createTask({
            ...(byAccount ? { usernames: batch } : { serials: batch }),
            script_name: script,
            ...(config ? { script_config: config } : {}),
          });
          outcomes.push(...(await this.ownersOf(batch, task_ids.map(String), byAccount)));
        }
        return outcomes;
      }
      case 'script.stop': {
        const taskId = Number(operation.params.taskId);
        // The answer, empty or the stopped task (status 3, `failed` in the document's table, which has
        // no status of its own for a stop), is an accepted stop: the stop's own targets succeeded. A
        // refusal (not running, not found) throws. The stopped run's own target is recorded as
        // cancelled by the dispatcher, through endedVendorTasks.
        await this.client.stopTask(taskId);
        return vendorRefs.map((vendorRef) => ({
          vendorRef,
          vendorTaskId: String(taskId),
          status: 'succeeded',
          result: { stopped: taskId },
        }));
      }
      default:
        throw VendorError.unsupported(this.vendor, operation.type);
    }
  }

  /**
   * Which target owns each task a create answered, by the vendor's record of each task (its serial, or
   * its username in account mode), never by position: one serial may own several tasks (one per
   * account on it), and the answer's order is not documented. A create for one target needs no read.
   * A task that could not be read stays with every target of the batch as a candidate: polling reads
   * it, and the task then concerns only the target it names (`vendorRefs`).
   */
  private async ownersOf(batch: string[], taskIds: string[], byAccount: boolean): Promise<DispatchOutcome[]> {
    const owned = new Map<string, string[]>(batch.map((vendorRef) => [vendorRef, []]));
    const unread: string[] = [];
    if (batch.length === 1) owned.set(batch[0], [...taskIds]);
    else {
      for (const id of taskIds) {
        try {
          const task = await this.client.getTask(Number(id));
          // An empty detail answer names no one: the task stays a candidate, as an unread one does.
          const owner = task && owned.get((byAccount ? task.username : task.serial) ?? '');
          if (owner) owner.push(id);
          else unread.push(id);
        } catch (error) {
          // The create was sent and its tasks run: a failed read must not lose them.
          if (!(error instanceof VendorError)) throw error;
          unread.push(id);
        }
      }
    }
    return batch.map((vendorRef): DispatchOutcome => {
      const ids = [...owned.get(vendorRef)!, ...unread];
      if (ids.length === 0) {
        return {
          vendorRef,
          status: 'failed',
          error: { code: 'no_task', message: `TikMatrix created no task for ${vendorRef}` },
        };
      }
      return { vendorRef, vendorTaskId: ids[0], vendorTaskIds: ids, status: 'pending' };
    });
  }

  async pollTasks(vendorTaskIds: string[]): Promise<VendorTaskProgress[]> {
    const progress: VendorTaskProgress[] = [];
    for (const id of vendorTaskIds) {
      const task = await this.client.getTask(Number(id));
      // An empty detail is no news: the task stays as it was and is polled again.
      if (!task) continue;
      progress.push({
        vendorTaskId: String(task.id),
        vendorRef: task.serial ?? task.username ?? undefined,
        vendorRefs: [task.serial, task.username].filter((ref): ref is string => typeof ref === 'string'),
        status: taskStatusOf(task.status),
        vendorStatus: task.status,
        ...(task.error ? { error: { code: String(task.status), message: String(task.error) } } : {}),
      });
    }
    return progress;
  }

  /** A script.stop ends the TikMatrix task it names. */
  endedVendorTasks(operation: Operation): string[] {
    return operation.type === 'script.stop' ? [String(Number(operation.params.taskId))] : [];
  }

  /**
   * Stops each task. A task that is not running any more (the conflict 40901) or that the farm no
   * longer has (40401) leaves nothing to cancel; any other refusal ("device busy, try again", a
   * server error) is thrown with the vendor's code, so the caller knows the task runs on.
   */
  async cancelTasks(vendorTaskIds: string[]): Promise<void> {
    for (const id of vendorTaskIds) {
      try {
        await this.client.stopTask(Number(id));
      } catch (error) {
        if (error instanceof VendorError && TASK_ALREADY_ENDED_CODES.has(error.vendorCode)) continue;
        throw error;
      }
    }
  }

  parseCallback(): VendorEvent[] {
    throw VendorError.unsupported(this.vendor, 'callbacks');
  }
}
