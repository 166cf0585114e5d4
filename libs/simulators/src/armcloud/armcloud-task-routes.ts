import type { FastifyInstance } from 'fastify';
import { armcloudRoute } from './armcloud-envelope';
import { badParameter, paginate, readNumber, readPage } from './armcloud-params';
import type { ArmcloudState } from './armcloud-state';
import { type ArmcloudTask, batchStatusCode, TASK_TYPE, taskStatusCode } from './armcloud-tasks';

const TASK_CENTER = '/task-center/open/task';

/**
 * taskIds: the examples send `[1, 2]`; the tables nest a `taskId` field under it, so
 * `[{"taskId": 1}]` is read as well.
 */
function readTaskIds(params: Record<string, unknown>): number[] {
  const value = params.taskIds;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : value === undefined || value === null ? [] : [value];
  if (items.length === 0) throw badParameter('taskIds is required');
  return items.map((item) => {
    const raw = item && typeof item === 'object' ? (item as Record<string, unknown>).taskId : item;
    const id = typeof raw === 'string' ? Number(raw.trim()) : raw;
    if (typeof id !== 'number' || !Number.isInteger(id)) throw badParameter('taskIds must be integers');
    return id;
  });
}

/** The tasks asked for that exist and are of one of the given types; unknown ids are left out of the answer. */
function findTasks(state: ArmcloudState, params: Record<string, unknown>, types?: readonly number[]): ArmcloudTask[] {
  return readTaskIds(params)
    .map((id) => state.tasks.get(id))
    .filter((task): task is ArmcloudTask => task !== undefined && (!types || types.includes(task.type)));
}

const PAD_TASK_TYPES = Object.values(TASK_TYPE).filter((type) => type !== TASK_TYPE.imageUpload && type !== TASK_TYPE.uploadFile);
const APP_OPERATION_TYPES = [
  TASK_TYPE.downloadApp,
  TASK_TYPE.uninstallApp,
  TASK_TYPE.stopApp,
  TASK_TYPE.restartApp,
  TASK_TYPE.startApp,
  TASK_TYPE.listApps,
  TASK_TYPE.installApp,
  TASK_TYPE.cleanApp,
];

const padResult = (task: ArmcloudTask) => ({
  taskId: task.taskId,
  padCode: task.padCode,
  taskStatus: taskStatusCode(task),
  endTime: task.endTime,
  taskContent: task.taskContent,
  taskResult: task.taskResult,
});

/** The task centre: details and results by task kind, and the batch list by task type. */
export function registerTaskRoutes(scope: FastifyInstance, state: ArmcloudState): void {
  armcloudRoute(scope, 'POST', `${TASK_CENTER}/padTaskDetail`, ({ params }) =>
    findTasks(state, params, PAD_TASK_TYPES).map((task) => ({ ...padResult(task), errorMsg: task.errorMsg })),
  );

  armcloudRoute(scope, 'POST', `${TASK_CENTER}/fileTaskDetail`, ({ params }) =>
    findTasks(state, params)
      .filter((task) => task.file !== null)
      .map((task) => ({
        taskId: task.taskId,
        appId: task.file?.appId ?? null,
        fileUniqueId: task.file?.fileUniqueId ?? null,
        fileName: task.file?.fileName ?? null,
        taskStatus: taskStatusCode(task),
        endTime: task.endTime,
      })),
  );

  // type 1003 ("download application") and 1013 ("application installation") both list installApp batches.
  armcloudRoute(scope, 'POST', `${TASK_CENTER}/list`, ({ params }) => {
    const type = readNumber(params, 'type', true);
    const types = type === TASK_TYPE.downloadApp || type === TASK_TYPE.installApp ? [TASK_TYPE.downloadApp, TASK_TYPE.installApp] : [type];
    return paginate(state.tasks.batchesOfTypes(types), readPage(params), (batch) => ({
      taskBatchId: batch.taskBatchId,
      taskBatchStatus: batchStatusCode(batch),
      type: batch.type,
      createTimestamp: batch.createTimestamp,
      subTasks: batch.tasks.map((task) => ({
        taskId: task.taskId,
        padCode: task.padCode,
        fileUniqueId: task.file?.fileUniqueId ?? null,
        taskStatus: taskStatusCode(task),
        endTime: task.endTime,
      })),
    }));
  });

  armcloudRoute(scope, 'POST', `${TASK_CENTER}/executeScriptInfo`, ({ params }) => findTasks(state, params, [TASK_TYPE.executeCommand]).map(padResult));

  armcloudRoute(scope, 'POST', `${TASK_CENTER}/cacheFileResult`, ({ params }) => ({
    fileList: findTasks(state, params, [TASK_TYPE.uploadFile]).map((task) => ({
      taskId: task.taskId,
      taskStatus: taskStatusCode(task),
      fileName: task.file?.fileName ?? null,
      fileUniqueId: task.file?.fileUniqueId ?? null,
      appId: task.file?.appId ?? null,
      endTime: task.endTime,
    })),
  }));

  armcloudRoute(scope, 'POST', `${TASK_CENTER}/screenshotInfo`, ({ params }) => findTasks(state, params, [TASK_TYPE.screenshot]).map(padResult));

  armcloudRoute(scope, 'POST', `${TASK_CENTER}/appOperateInfo`, ({ params }) => findTasks(state, params, APP_OPERATION_TYPES).map(padResult));

  armcloudRoute(scope, 'POST', `${TASK_CENTER}/padExecuteTaskInfo`, ({ params }) =>
    findTasks(state, params, [TASK_TYPE.padRestart, TASK_TYPE.padReset]).map(padResult),
  );

  armcloudRoute(scope, 'POST', `${TASK_CENTER}/imageUploadResult`, ({ params }) =>
    findTasks(state, params, [TASK_TYPE.imageUpload]).map((task) => ({ taskId: task.taskId, taskStatus: taskStatusCode(task), errorMsg: task.errorMsg ?? '' })),
  );
}
