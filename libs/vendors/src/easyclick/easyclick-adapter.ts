import type { Operation, VendorDevice } from '@fleetgate/domain';
import type {
  DevicePage,
  DispatchOutcome,
  VendorAdapter,
  VendorEvent,
  VendorTaskProgress,
} from '../core/vendor-adapter';
import { VendorError } from '../core/vendor-error';
import { EASYCLICK_CAPABILITIES } from './easyclick-capabilities';
import type { EasyclickChange, EasyclickClient, EasyclickParam } from './easyclick-client';
import {
  deviceNosOf,
  deviceRunStatus,
  EASYCLICK_PARAM_TYPE,
  parseTargetTaskId,
  targetTaskId,
} from './easyclick-mapper';

function requireTaskId(taskId: string | undefined): string {
  if (!taskId || !/^\d+$/.test(taskId)) {
    throw new VendorError(
      'easyclick',
      'invalid',
      'taskId',
      'an EasyClick operation needs params.taskId, the cloud task id',
    );
  }
  return taskId;
}

/**
 * Fleetgate's view of one EasyClick cloud. Targets are device numbers; a target's vendor task id is
 * `<taskId>:<deviceNo>`, because one EasyClick task carries many devices and each device leaves it
 * when its run ends.
 */
export class EasyclickAdapter implements VendorAdapter {
  readonly vendor = 'easyclick' as const;
  readonly capabilities = EASYCLICK_CAPABILITIES;

  constructor(readonly client: EasyclickClient) {}

  async testConnection(): Promise<void> {
    await this.client.getTask();
  }

  async listDevices(): Promise<DevicePage> {
    throw VendorError.unsupported(this.vendor, 'devices.list');
  }

  async getDevice(): Promise<VendorDevice> {
    throw VendorError.unsupported(this.vendor, 'devices.get');
  }

  async dispatch(operation: Operation, vendorRefs: string[]): Promise<DispatchOutcome[]> {
    const devices = vendorRefs.join(',');
    switch (operation.type) {
      case 'script.start': {
        // The devices join the task and the task starts, in one change (the document's order flow).
        const taskId = requireTaskId(operation.params.taskId);
        await this.client.changeTask({ taskId, addDevices: devices, status: '0' }, false);
        return vendorRefs.map((vendorRef) => ({
          vendorRef,
          vendorTaskId: targetTaskId(taskId, vendorRef),
          status: 'running',
        }));
      }
      case 'script.stop': {
        const taskId = requireTaskId(operation.params.taskId);
        await this.client.changeTask({ taskId, status: operation.params.mode === 'local' ? '1' : '2' }, true);
        return this.done(vendorRefs, taskId);
      }
      case 'script.devices.add': {
        const taskId = requireTaskId(operation.params.taskId);
        await this.client.changeTask({ taskId, addDevices: devices }, true);
        return this.done(vendorRefs, taskId);
      }
      case 'script.devices.remove': {
        const taskId = requireTaskId(operation.params.taskId);
        await this.client.changeTask({ taskId, removeDevices: devices }, true);
        return this.done(vendorRefs, taskId);
      }
      case 'script.params.add': {
        const taskId = requireTaskId(operation.params.taskId);
        const addParamEx = operation.params.params.map(toEasyclickParam);
        await this.client.changeTask({ taskId, addParamEx }, true);
        return this.done(vendorRefs, taskId);
      }
      case 'script.params.remove': {
        const taskId = requireTaskId(operation.params.taskId);
        await this.client.changeTask({ taskId, removeParam: operation.params.names }, true);
        return this.done(vendorRefs, taskId);
      }
      default:
        throw VendorError.unsupported(this.vendor, operation.type);
    }
  }

  /** One getTask answers every task, so one read serves every id. */
  async pollTasks(vendorTaskIds: string[]): Promise<VendorTaskProgress[]> {
    const targets = vendorTaskIds.map((id) => {
      const target = parseTargetTaskId(id);
      if (!target) throw new VendorError('easyclick', 'invalid', 'task_id', `not an EasyClick target task id: ${id}`);
      return { id, ...target };
    });
    const tasks = new Map((await this.client.getTask()).map((task) => [String(task.taskId), task]));
    return targets.map(({ id, taskId, deviceNo }): VendorTaskProgress => {
      const task = tasks.get(taskId);
      if (!task) {
        return {
          vendorTaskId: id,
          vendorRef: deviceNo,
          status: 'failed',
          vendorStatus: 'missing',
          error: { code: '404', message: `task ${taskId} no longer exists at the cloud` },
        };
      }
      const onTask = deviceNosOf(task.deviceNos).includes(deviceNo);
      return {
        vendorTaskId: id,
        vendorRef: deviceNo,
        status: deviceRunStatus(task.execStatus, onTask),
        vendorStatus: task.execStatus,
        ...(onTask ? {} : { result: { endTime: task.endTime ?? null } }),
      };
    });
  }

  /**
   * Taking devices off a task ends their runs (`<taskId>:<deviceNo>`), and getTask reads a device gone
   * from its task as a run that finished: the dispatcher records those runs as cancelled first.
   */
  endedVendorTasks(operation: Operation, vendorRefs: string[]): string[] {
    if (operation.type !== 'script.devices.remove') return [];
    const taskId = requireTaskId(operation.params.taskId);
    return vendorRefs.map((vendorRef) => targetTaskId(taskId, vendorRef));
  }

  /** Cancelling a device's run takes the device off its task (the other devices keep running). */
  async cancelTasks(vendorTaskIds: string[]): Promise<void> {
    const byTask = new Map<string, string[]>();
    for (const id of vendorTaskIds) {
      const target = parseTargetTaskId(id);
      if (!target) throw new VendorError('easyclick', 'invalid', 'task_id', `not an EasyClick target task id: ${id}`);
      byTask.set(target.taskId, [...(byTask.get(target.taskId) ?? []), target.deviceNo]);
    }
    for (const [taskId, devices] of byTask) {
      const change: EasyclickChange = { taskId, removeDevices: devices.join(',') };
      await this.client.changeTask(change, true);
    }
  }

  parseCallback(): VendorEvent[] {
    throw VendorError.unsupported(this.vendor, 'callbacks');
  }

  private done(vendorRefs: string[], taskId: string): DispatchOutcome[] {
    return vendorRefs.map((vendorRef) => ({ vendorRef, status: 'succeeded', result: { taskId } }));
  }
}

function toEasyclickParam(param: { name: string; type: string; value: unknown; options?: string[] }): EasyclickParam {
  const type = EASYCLICK_PARAM_TYPE[param.type];
  if (!type) {
    throw new VendorError(
      'easyclick',
      'invalid',
      'type',
      `parameter ${param.name}: type must be text, single or multiple`,
    );
  }
  const value =
    type === '3' ? (Array.isArray(param.value) ? param.value.map(String) : [String(param.value)]) : String(param.value);
  return { key: param.name, type, value, ...(param.options ? { options: param.options } : {}) };
}
