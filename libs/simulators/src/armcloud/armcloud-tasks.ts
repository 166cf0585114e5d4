import { createHash } from 'node:crypto';
import type { ArmcloudCallbackEvent, ArmcloudCallbacks } from './armcloud-callbacks';

/** Task status codes of the task centre and of the callbacks. */
export const TASK_STATUS = {
  failed: -1,
  partiallyFailed: -2,
  cancelled: -3,
  timeout: -4,
  pending: 1,
  running: 2,
  completed: 3,
} as const;

/** Image upload tasks have their own codes (document: -1 creation failed; 1 in progress; 2 creation successful). */
export const IMAGE_TASK_STATUS = { failed: -1, inProgress: 1, succeeded: 2 } as const;

/** Task types of `/task-center/open/task/list`. */
export const TASK_TYPE = {
  padRestart: 1000,
  padReset: 1001,
  executeCommand: 1002,
  downloadApp: 1003,
  uninstallApp: 1004,
  stopApp: 1005,
  restartApp: 1006,
  startApp: 1007,
  screenshot: 1008,
  downloadFile: 1009,
  modifyProperties: 1010,
  listApps: 1011,
  upgradeImage: 1012,
  installApp: 1013,
  cleanApp: 1014,
  uploadFile: 2000,
  deleteFile: 2001,
  /** Not a task-centre type: image uploads are only visible through imageUploadResult. */
  imageUpload: 9001,
} as const;

export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed';

export interface TaskFile {
  fileUniqueId: string;
  fileName: string;
  appId: number | null;
  originUrl: string;
}

export interface ArmcloudTask {
  readonly taskId: number;
  readonly batchId: string;
  readonly type: number;
  readonly padCode: string | null;
  readonly createdAt: number;
  state: TaskState;
  endTime: number | null;
  taskContent: string | null;
  taskResult: string | null;
  errorMsg: string | null;
  file: TaskFile | null;
  /** Facts of the operation that its results and callbacks report (command, package, apps…). */
  detail: Record<string, unknown>;
}

export interface TaskOutcome {
  ok: boolean;
  result?: string | null;
  error?: string;
}

export interface SubtaskPlan {
  padCode?: string;
  taskContent?: string | null;
  file?: TaskFile;
  detail?: Record<string, unknown>;
  /** When the task starts running: visible side effects (pad status) and their callbacks. */
  onRunning?(task: ArmcloudTask): ArmcloudCallbackEvent[] | void;
  /** At the end: applies the effect and says whether it worked. */
  onFinish(task: ArmcloudTask): TaskOutcome;
  /** The callbacks of the finished task. */
  finishedCallbacks?(task: ArmcloudTask): ArmcloudCallbackEvent[];
}

export interface BatchPlan {
  type: number;
  /** Time from submission to the end at timeScale 1; the task turns running after a fifth of it. */
  durationMs: number;
  subtasks: SubtaskPlan[];
}

export interface TaskBatch {
  readonly taskBatchId: string;
  readonly type: number;
  readonly createTimestamp: number;
  readonly tasks: ArmcloudTask[];
}

/** Tasks kept for the task centre; the oldest finished batches are forgotten beyond this. */
const TASK_RETENTION = 200_000;

export function taskStatusCode(task: ArmcloudTask): number {
  if (task.type === TASK_TYPE.imageUpload) {
    return task.state === 'succeeded' ? IMAGE_TASK_STATUS.succeeded : task.state === 'failed' ? IMAGE_TASK_STATUS.failed : IMAGE_TASK_STATUS.inProgress;
  }
  return { pending: TASK_STATUS.pending, running: TASK_STATUS.running, succeeded: TASK_STATUS.completed, failed: TASK_STATUS.failed }[task.state];
}

/** A batch is pending until a subtask runs, complete when all succeeded, failed when all failed, partially failed when mixed. */
export function batchStatusCode(batch: TaskBatch): number {
  const states = new Set(batch.tasks.map((task) => task.state));
  if (states.has('running') || (states.has('pending') && states.size > 1)) return TASK_STATUS.running;
  if (states.has('pending')) return TASK_STATUS.pending;
  if (states.has('failed')) return states.has('succeeded') ? TASK_STATUS.partiallyFailed : TASK_STATUS.failed;
  return TASK_STATUS.completed;
}

/**
 * Vendor tasks: each API call that the document calls asynchronous becomes a batch of subtasks
 * (one per pad or file) moving pending → running → complete or failed, on timers scaled by
 * timeScale (0: both steps on the next turns of the event loop). Callbacks of one step of one
 * batch are posted together.
 */
export class ArmcloudTaskEngine {
  private readonly tasks = new Map<number, ArmcloudTask>();
  private readonly batches = new Map<string, TaskBatch>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextTaskId = 1;
  private nextBatch = 1;

  constructor(
    private readonly timeScale: number,
    private readonly callbacks: ArmcloudCallbacks,
  ) {}

  /** Creates the batch's tasks (pending) and schedules them; `immediate` runs them to the end now (synchronous endpoints). */
  submit(plan: BatchPlan, options: { immediate?: boolean } = {}): ArmcloudTask[] {
    const now = Date.now();
    const batch: TaskBatch = {
      taskBatchId: createHash('md5').update(`armcloud-batch-${this.nextBatch++}`).digest('hex'),
      type: plan.type,
      createTimestamp: now,
      tasks: [],
    };
    for (const subtask of plan.subtasks) {
      const task: ArmcloudTask = {
        taskId: this.nextTaskId++,
        batchId: batch.taskBatchId,
        type: plan.type,
        padCode: subtask.padCode ?? null,
        createdAt: now,
        state: 'pending',
        endTime: null,
        taskContent: subtask.taskContent ?? null,
        taskResult: null,
        errorMsg: null,
        file: subtask.file ?? null,
        detail: subtask.detail ?? {},
      };
      batch.tasks.push(task);
      this.tasks.set(task.taskId, task);
    }
    this.batches.set(batch.taskBatchId, batch);
    this.forgetOldBatches();

    const start = () => {
      this.callbacks.emit(batch.tasks.flatMap((task, i) => {
        task.state = 'running';
        return plan.subtasks[i].onRunning?.(task) ?? [];
      }));
    };
    const finish = () => {
      const end = Date.now();
      this.callbacks.emit(batch.tasks.flatMap((task, i) => {
        const subtask = plan.subtasks[i];
        const outcome = subtask.onFinish(task);
        task.state = outcome.ok ? 'succeeded' : 'failed';
        task.endTime = end;
        task.taskResult = outcome.result ?? (outcome.ok ? 'Success' : null);
        task.errorMsg = outcome.ok ? null : (outcome.error ?? 'Failed');
        return subtask.finishedCallbacks?.(task) ?? [];
      }));
    };
    if (options.immediate) {
      start();
      finish();
    } else {
      const total = plan.durationMs * this.timeScale;
      this.schedule(total / 5, () => {
        start();
        this.schedule(total - total / 5, finish);
      });
    }
    return batch.tasks;
  }

  get(taskId: number): ArmcloudTask | undefined {
    return this.tasks.get(taskId);
  }

  /** Batches of the given types, newest first. */
  batchesOfTypes(types: readonly number[]): TaskBatch[] {
    const wanted = new Set(types);
    return [...this.batches.values()].filter((batch) => wanted.has(batch.type)).reverse();
  }

  /** Stops every timer; tasks under way stay where they are. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(delayMs: number, step: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      step();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private forgetOldBatches(): void {
    for (const [id, batch] of this.batches) {
      if (this.tasks.size <= TASK_RETENTION) return;
      if (batch.tasks.some((task) => task.state === 'pending' || task.state === 'running')) return;
      for (const task of batch.tasks) this.tasks.delete(task.taskId);
      this.batches.delete(id);
    }
  }
}
