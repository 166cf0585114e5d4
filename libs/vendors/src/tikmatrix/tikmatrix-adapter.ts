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
   * script.start creates one TikMatrix task per serial (device mode), or per username when the
   * operation names usernames (account mode; targets are then the usernames). script.stop stops the
   * TikMatrix task named in the parameters.
   */
  async dispatch(operation: Operation, vendorRefs: string[]): Promise<DispatchOutcome[]> {
    switch (operation.type) {
      case 'script.start': {
        const { script, config, usernames } = operation.params;
        const byAccount = !!usernames?.length;
        const targets = byAccount ? usernames! : vendorRefs;
        const outcomes: DispatchOutcome[] = [];
        for (let start = 0; start < targets.length; start += TIKMATRIX_BATCH_SIZE) {
          const batch = targets.slice(start, start + TIKMATRIX_BATCH_SIZE);
          const { task_ids } = await this.client.createTask({
            ...(byAccount ? { usernames: batch } : { serials: batch }),
            script_name: script,
            ...(config ? { script_config: config } : {}),
          });
          // One task per target, in the order sent.
          batch.forEach((vendorRef, index) =>
            outcomes.push({ vendorRef, vendorTaskId: String(task_ids[index]), status: 'pending' }),
          );
        }
        return outcomes;
      }
      case 'script.stop': {
        const taskId = Number(operation.params.taskId);
        const task = await this.client.stopTask(taskId);
        // An empty answer is an accepted stop with nothing more to follow.
        if (!task) {
          return vendorRefs.map((vendorRef) => ({
            vendorRef,
            vendorTaskId: String(taskId),
            status: 'succeeded',
            result: { stopped: taskId },
          }));
        }
        return vendorRefs.map((vendorRef) => ({
          vendorRef,
          vendorTaskId: String(task.id),
          status: taskStatusOf(task.status),
        }));
      }
      default:
        throw VendorError.unsupported(this.vendor, operation.type);
    }
  }

  async pollTasks(vendorTaskIds: string[]): Promise<VendorTaskProgress[]> {
    const progress: VendorTaskProgress[] = [];
    for (const id of vendorTaskIds) {
      const task = await this.client.getTask(Number(id));
      // An empty detail is no news: the task stays as it was and is polled again.
      if (!task) continue;
      progress.push({
        vendorTaskId: String(task.id),
        vendorRef: task.username ?? task.serial ?? undefined,
        status: taskStatusOf(task.status),
        vendorStatus: task.status,
        ...(task.error ? { error: { code: String(task.status), message: String(task.error) } } : {}),
      });
    }
    return progress;
  }

  async cancelTasks(vendorTaskIds: string[]): Promise<void> {
    for (const id of vendorTaskIds) {
      try {
        await this.client.stopTask(Number(id));
      } catch (error) {
        // A task that already ended cannot be stopped; that is the outcome cancel wants anyway.
        if (!(error instanceof VendorError && error.kind === 'invalid')) throw error;
      }
    }
  }

  parseCallback(): VendorEvent[] {
    throw VendorError.unsupported(this.vendor, 'callbacks');
  }
}
