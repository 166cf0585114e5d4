import type { CallbackSender } from '../kit';
import type { ArmcloudCallbackEvent } from './armcloud-callbacks';
import { ArmcloudCallbacks } from './armcloud-callbacks';
import { AppCentre, FileCentre, ImageLibrary } from './armcloud-centres';
import { ArmcloudFleet } from './armcloud-fleet';
import { type ArmcloudTask, ArmcloudTaskEngine, type TaskOutcome, taskStatusCode } from './armcloud-tasks';

/**
 * Everything one simulated ArmCloud account holds. Routes keep a reference to this object and read
 * its fields on every request, so that reset() can rebuild them in place.
 */
export class ArmcloudState {
  fleet!: ArmcloudFleet;
  tasks!: ArmcloudTaskEngine;
  files!: FileCentre;
  apps!: AppCentre;
  images!: ImageLibrary;
  /** Application blacklists by instance specification (padGrade). */
  blacklists!: Map<string, Array<{ appPkg: string; appName: string }>>;
  /** Public IP → bound instance IPs. */
  publicIpBindings!: Map<string, Set<string>>;
  readonly callbacks: ArmcloudCallbacks;

  constructor(
    private readonly fleetSize: number,
    private readonly fleetSeed: number,
    private readonly timeScale: number,
    sender: CallbackSender,
  ) {
    this.callbacks = new ArmcloudCallbacks(sender);
    this.reset();
  }

  /** Reseeds the same fleet (same seed) and forgets tasks, uploads, settings and the callback configuration. */
  reset(): void {
    this.tasks?.close();
    this.fleet = new ArmcloudFleet(this.fleetSize, this.fleetSeed);
    this.tasks = new ArmcloudTaskEngine(this.timeScale, this.callbacks);
    this.files = new FileCentre();
    this.apps = new AppCentre();
    this.images = new ImageLibrary();
    this.blacklists = new Map();
    this.publicIpBindings = new Map();
    this.callbacks.reset();
  }

  close(): void {
    this.tasks.close();
  }
}

/** `{taskId, padCode, vmStatus}`, the answer of most instance operations. */
export function padTaskRow(state: ArmcloudState, task: ArmcloudTask): { taskId: number; padCode: string | null; vmStatus: number } {
  const index = task.padCode === null ? undefined : state.fleet.indexOf(task.padCode);
  return { taskId: task.taskId, padCode: task.padCode, vmStatus: index !== undefined && state.fleet.isOnline(index) ? 1 : 0 };
}

/** Instance state callback (padStatus changes). */
export function padStatusEvent(state: ArmcloudState, index: number): ArmcloudCallbackEvent {
  return { kind: 'padStatus', body: { padStatus: state.fleet.padStatus(index), padCode: state.fleet.codeOf(index) } };
}

export const OFFLINE_ERROR = 'Instance is offline';

export interface PadOperation {
  type: number;
  durationMs: number;
  taskContent?: string | null;
  detail?(index: number): Record<string, unknown>;
  /** Restart, reset and image upgrade work on an offline pad (and bring it back); every other operation fails there. */
  worksOffline?: boolean;
  onRunning?(index: number, task: ArmcloudTask): ArmcloudCallbackEvent[] | void;
  /** Applies the effect and returns the task result text; throwing a PadOperationFailure fails the task. */
  apply(index: number, task: ArmcloudTask): string | void;
  finishedCallbacks?(index: number, task: ArmcloudTask): ArmcloudCallbackEvent[];
}

/** Fails one subtask with an error message (the subtask's errorMsg and, as taskResult, its reason). */
export class PadOperationFailure extends Error {}

/** Submits one subtask per pad for an operation; offline pads fail unless the operation works offline. */
export function submitPadOperation(state: ArmcloudState, indices: readonly number[], operation: PadOperation): ArmcloudTask[] {
  return state.tasks.submit({
    type: operation.type,
    durationMs: operation.durationMs,
    subtasks: indices.map((index) => ({
      padCode: state.fleet.codeOf(index),
      taskContent: operation.taskContent ?? null,
      detail: operation.detail?.(index),
      onRunning: (task) => (operation.worksOffline || state.fleet.isOnline(index) ? operation.onRunning?.(index, task) : undefined),
      onFinish: (task): TaskOutcome => {
        if (!operation.worksOffline && !state.fleet.isOnline(index)) return { ok: false, result: OFFLINE_ERROR, error: OFFLINE_ERROR };
        try {
          const result = operation.apply(index, task);
          return { ok: true, result: result ?? 'Success' };
        } catch (error) {
          if (!(error instanceof PadOperationFailure)) throw error;
          return { ok: false, result: error.message, error: error.message };
        }
      },
      finishedCallbacks: (task) => operation.finishedCallbacks?.(index, task) ?? [],
    })),
  });
}

/** The common fields of a task callback. */
export function taskCallbackFields(task: ArmcloudTask): { taskId: number; taskStatus: number; endTime: number | null } {
  return { taskId: task.taskId, taskStatus: taskStatusCode(task), endTime: task.endTime };
}
