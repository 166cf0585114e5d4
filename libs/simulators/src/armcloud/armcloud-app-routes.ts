import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ArmcloudCallbackEvent } from './armcloud-callbacks';
import { isDownloadable } from './armcloud-centres';
import { ARMCLOUD_ERRORS, ArmcloudError, armcloudRoute } from './armcloud-envelope';
import { PAD_STATUS } from './armcloud-fleet';
import {
  badParameter,
  paginate,
  readBoolean,
  readIntegerList,
  readNumber,
  readObjectList,
  readPage,
  readString,
  readStringList,
  readTargetPads,
  resolvePadCodes,
} from './armcloud-params';
import { type ArmcloudState, padStatusEvent, padTaskRow, PadOperationFailure, submitPadOperation, taskCallbackFields } from './armcloud-state';
import { type ArmcloudTask, TASK_TYPE } from './armcloud-tasks';

const OPENAPI = '/openapi/open';
const FILE_CENTER = '/file-center/open';

interface AppRef {
  appId: number | null;
  appName: string;
  pkgName: string;
}

/** File upload callback (file and application centre uploads). */
function fileUploadEvent(task: ArmcloudTask): ArmcloudCallbackEvent {
  return {
    kind: 'fileUpload',
    body: { taskId: task.taskId, taskStatus: taskCallbackFields(task).taskStatus, originFileUrl: task.file?.originUrl ?? null, fileUniqueId: task.file?.fileUniqueId ?? null },
  };
}

/** A package name read from an APK's address ("10043132_com.tencent.fiftyone.yc.apk"), for uploads with parse=true. */
function packageNameFromUrl(url: string, fallback: string): string {
  const base = url.split(/[?#]/)[0].split('/').pop() ?? '';
  const match = /([a-zA-Z][\w]*(?:\.[a-zA-Z][\w]*)+)\.apk$/.exec(base.replace(/^\d+_/, ''));
  return match ? match[1] : fallback;
}

/** installApp / uninstallApp: `apps[]`, each with its own pad list ("PadCodes" in the table, "padCodes" in the example), grouped per pad. */
function readAppsPerPad(state: ArmcloudState, params: Record<string, unknown>, requireInCentre: boolean): Map<number, AppRef[]> {
  const perPad = new Map<number, AppRef[]>();
  for (const app of readObjectList(params, 'apps', true)!) {
    // Both tables mark appId required.
    const appId = readNumber(app, 'appId', true);
    const known = state.apps.get(appId);
    if (requireInCentre && !known?.available) throw new ArmcloudError(ARMCLOUD_ERRORS.fileNotAvailable, `appId ${appId}`);
    const pkgName = readString(app, 'pkgName') ?? known?.packageName;
    if (!pkgName) throw badParameter('pkgName is required');
    const ref: AppRef = { appId, pkgName, appName: readString(app, 'appName') ?? known?.appName ?? pkgName };
    const codes = readStringList(app, 'padCodes') ?? readStringList(app, 'PadCodes', true)!;
    for (const index of resolvePadCodes(state.fleet, codes)) perPad.set(index, [...(perPad.get(index) ?? []), ref]);
  }
  return perPad;
}

function appOnPad(state: ArmcloudState, index: number, app: AppRef) {
  return { appId: app.appId, appName: app.appName, pkgName: app.pkgName, padCode: state.fleet.codeOf(index) };
}

function appsWithResult(state: ArmcloudState, index: number, apps: AppRef[], task: ArmcloudTask) {
  return apps.map((app) => ({ ...appOnPad(state, index, app), result: task.state === 'succeeded' }));
}

/** Files, applications and images: the two management centres, pushes and installs on pads, image upgrades. */
export function registerAppRoutes(scope: FastifyInstance, state: ArmcloudState): void {
  // The table requires fileMd5, the example sends fileSha256: either is accepted.
  armcloudRoute(scope, 'POST', `${FILE_CENTER}/file/cache`, ({ params }) => {
    const fileUrl = readString(params, 'fileUrl', true);
    const fileName = readString(params, 'fileName', true);
    const fileMd5 = readString(params, 'fileMd5');
    const fileSha256 = readString(params, 'fileSha256');
    if (fileMd5 === undefined && fileSha256 === undefined) throw badParameter('fileMd5 is required');
    if (fileMd5 !== undefined && fileMd5.length > 32) throw badParameter('fileMd5 is at most 32 characters');
    const file = state.files.add(fileUrl, fileName, fileMd5 ?? fileSha256);
    const [task] = state.tasks.submit({
      type: TASK_TYPE.uploadFile,
      durationMs: 3000,
      subtasks: [
        {
          taskContent: fileUrl,
          file: { fileUniqueId: file.fileUniqueId, fileName, appId: null, originUrl: fileUrl },
          onFinish: () => {
            if (!isDownloadable(fileUrl)) return { ok: false, error: ARMCLOUD_ERRORS.downloadFailed.msg };
            file.available = true;
            return { ok: true };
          },
          finishedCallbacks: (finished) => [fileUploadEvent(finished)],
        },
      ],
    });
    return { taskId: task.taskId, fileUniqueId: file.fileUniqueId };
  });

  armcloudRoute(scope, 'POST', `${FILE_CENTER}/file/list`, ({ params }) =>
    paginate(state.files.listAvailable(), readPage(params), (file) => ({
      fileUniqueId: file.fileUniqueId,
      fileName: file.fileName,
      fileMd5: file.fileMd5,
      fileSize: file.fileSize,
      originUrl: file.originUrl,
      createTime: file.createTime,
    })),
  );

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/v2/uploadFile`, ({ params }) => {
    const fileUniqueId = readString(params, 'fileUniqueId', true);
    const customizeFilePath = readString(params, 'customizeFilePath');
    const autoInstall = readNumber(params, 'autoInstall') ?? 0;
    if (customizeFilePath !== undefined && !customizeFilePath.startsWith('/')) throw new ArmcloudError(ARMCLOUD_ERRORS.badFilePath, 'must start with /');
    const indices = readTargetPads(state.fleet, params);
    const file = state.files.get(fileUniqueId);
    if (!file?.available) throw new ArmcloudError(ARMCLOUD_ERRORS.fileNotAvailable, fileUniqueId);
    const directory = customizeFilePath ? customizeFilePath.replace(/\/?$/, '/') : '/sdcard/Download/';
    return state.tasks
      .submit({
        type: TASK_TYPE.downloadFile,
        durationMs: 4000,
        subtasks: indices.map((index) => ({
          padCode: state.fleet.codeOf(index),
          taskContent: `${directory}${file.fileName}`,
          file: { fileUniqueId, fileName: file.fileName, appId: null, originUrl: file.originUrl },
          onFinish: () => {
            if (!state.fleet.isOnline(index)) return { ok: false, error: 'Instance is offline' };
            const settings = state.fleet.settingsOf(index);
            settings.files.push(`${directory}${file.fileName}`);
            if (autoInstall === 1 && file.fileName.toLowerCase().endsWith('.apk')) {
              const pkgName = packageNameFromUrl(file.originUrl, `com.upload.${file.fileUniqueId.slice(0, 8)}`);
              settings.apps.set(pkgName, { appName: file.fileName.replace(/\.apk$/i, ''), appId: null });
            }
            return { ok: true };
          },
          finishedCallbacks: (task) => [
            {
              kind: 'padFileUpload',
              body: {
                taskId: task.taskId,
                result: task.state === 'succeeded',
                errorCode: task.state === 'succeeded' ? null : String(ARMCLOUD_ERRORS.downloadFailed.code),
                padCode: task.padCode,
                fileId: fileUniqueId,
              },
            },
          ],
        })),
      })
      .map((task) => padTaskRow(state, task));
  });

  armcloudRoute(scope, 'POST', `${FILE_CENTER}/app/cache`, ({ params }) => {
    const parse = readBoolean(params, 'parse', true);
    const entries = readObjectList(params, 'apps', true)!.map((app) => {
      const url = readString(app, 'url', true);
      const appId = readNumber(app, 'appId');
      if (appId !== undefined && (!Number.isInteger(appId) || appId < 1)) throw badParameter('appId must be a positive integer');
      const pkgName = readString(app, 'pkgName');
      const appName = readString(app, 'appName');
      if (!parse && (!pkgName || !appName)) throw badParameter('pkgName and appName are required when parse is false');
      return { app, url, appId, pkgName, appName };
    });
    return entries.map(({ app, url, appId, pkgName, appName }) => {
      const packageName = pkgName ?? packageNameFromUrl(url, `com.armcloud.app${appId ?? ''}`);
      const entry = state.apps.add({
        appId,
        originUrl: url,
        description: readString(app, 'description') ?? '',
        packageName,
        appName: appName ?? packageName.split('.').pop() ?? packageName,
        versionName: readString(app, 'versionName') ?? '1.0.0',
        versionNo: readNumber(app, 'versionNo') ?? 1,
        signMd5: readString(app, 'signMd5') ?? createHash('md5').update(packageName).digest('hex').toUpperCase(),
      });
      const [task] = state.tasks.submit({
        type: TASK_TYPE.uploadFile,
        durationMs: 5000,
        subtasks: [
          {
            taskContent: url,
            file: {
              fileUniqueId: readString(app, 'md5sum') ?? createHash('md5').update(`${url}\n${packageName}`).digest('hex'),
              fileName: url.split(/[?#]/)[0].split('/').pop() || `${packageName}.apk`,
              appId: entry.appId,
              originUrl: url,
            },
            onFinish: () => {
              if (!isDownloadable(url)) return { ok: false, error: ARMCLOUD_ERRORS.downloadFailed.msg };
              entry.available = true;
              return { ok: true };
            },
            finishedCallbacks: (finished) => [fileUploadEvent(finished)],
          },
        ],
      });
      return { taskId: task.taskId, appId: entry.appId };
    });
  });

  armcloudRoute(scope, 'POST', `${FILE_CENTER}/app/list`, ({ params }) =>
    paginate(state.apps.list(readIntegerList(params, 'appIds')), readPage(params), (app) => ({
      originUrl: app.originUrl,
      appId: app.appId,
      description: app.description,
      packageName: app.packageName,
      appName: app.appName,
      versionName: app.versionName,
      versionNo: app.versionNo,
      signMd5: app.signMd5,
      available: app.available,
      createTime: app.createTime,
    })),
  );

  armcloudRoute(scope, 'POST', `${FILE_CENTER}/app/detail`, ({ params }) => {
    const appId = readNumber(params, 'appId', true);
    const app = state.apps.get(appId);
    if (!app?.available) throw new ArmcloudError(ARMCLOUD_ERRORS.fileNotAvailable, `appId ${appId}`);
    return {
      appId: app.appId,
      originUrl: app.originUrl,
      customizeFileId: null,
      description: app.description,
      packageName: app.packageName,
      appName: app.appName,
      versionName: app.versionName,
      versionNo: app.versionNo,
      signMd5: app.signMd5,
      createTime: app.createTime,
    };
  });

  // Asynchronous, like the others: the list is the task result (JSON) and the appList callback.
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/listApp`, ({ params }) =>
    submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.listApps,
      durationMs: 1000,
      taskContent: 'listApp',
      apply: (index) => JSON.stringify(state.fleet.installedApps(index).map((app) => ({ appName: app.appName, pkgName: app.pkgName }))),
      finishedCallbacks: (index, task) => [
        {
          kind: 'appList',
          body: {
            taskId: task.taskId,
            taskStatus: taskCallbackFields(task).taskStatus,
            padCode: task.padCode,
            apps: task.state === 'succeeded' ? state.fleet.installedApps(index).map((app) => ({ appName: app.appName, pkgName: app.pkgName })) : [],
          },
        },
      ],
    }).map((task) => padTaskRow(state, task)),
  );

  // One task per pad, covering every app addressed to it (the callback reports an apps list).
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/installApp`, ({ params }) => {
    const perPad = readAppsPerPad(state, params, true);
    return [...perPad].flatMap(([index, apps]) =>
      submitPadOperation(state, [index], {
        type: TASK_TYPE.downloadApp,
        durationMs: 6000,
        taskContent: apps.map((app) => app.pkgName).join(','),
        detail: () => ({ apps }),
        apply: () => {
          for (const app of apps) state.fleet.settingsOf(index).apps.set(app.pkgName, { appName: app.appName, appId: app.appId });
        },
        finishedCallbacks: (_index, task) => [{ kind: 'appInstall', body: { taskId: task.taskId, apps: appsWithResult(state, index, apps, task) } }],
      }).map((task) => padTaskRow(state, task)),
    );
  });

  // The uninstall callback as its table types it: `apps` one object (the pad inside), `result` beside it.
  // Several apps in one task have no documented shape: they go as a list, like the install callback.
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/uninstallApp`, ({ params }) => {
    const perPad = readAppsPerPad(state, params, false);
    return [...perPad].flatMap(([index, apps]) =>
      submitPadOperation(state, [index], {
        type: TASK_TYPE.uninstallApp,
        durationMs: 3000,
        taskContent: apps.map((app) => app.pkgName).join(','),
        detail: () => ({ apps }),
        apply: () => {
          for (const app of apps) state.fleet.settingsOf(index).apps.delete(app.pkgName);
        },
        finishedCallbacks: (_index, task) => [
          {
            kind: 'appUninstall',
            body: {
              taskId: task.taskId,
              apps: apps.length === 1 ? appOnPad(state, index, apps[0]) : apps.map((app) => appOnPad(state, index, app)),
              result: task.state === 'succeeded',
            },
          },
        ],
      }).map((task) => padTaskRow(state, task)),
    );
  });

  const appLifecycle = [
    { path: 'startApp', type: TASK_TYPE.startApp, kind: 'appStart', needsInstalled: true, failure: ARMCLOUD_ERRORS.startAppFailed },
    { path: 'stopApp', type: TASK_TYPE.stopApp, kind: 'appStop', needsInstalled: false, failure: ARMCLOUD_ERRORS.stopAppFailed },
    { path: 'restartApp', type: TASK_TYPE.restartApp, kind: 'appRestart', needsInstalled: true, failure: ARMCLOUD_ERRORS.restartAppFailed },
  ] as const;
  for (const operation of appLifecycle) {
    armcloudRoute(scope, 'POST', `${OPENAPI}/pad/${operation.path}`, ({ params }) => {
      const pkgName = readString(params, 'pkgName', true);
      return submitPadOperation(state, readTargetPads(state.fleet, params), {
        type: operation.type,
        durationMs: 1500,
        taskContent: pkgName,
        detail: () => ({ pkgName }),
        apply: (index) => {
          const installed = state.fleet.installedApps(index).some((app) => app.pkgName === pkgName);
          if (operation.needsInstalled && !installed) throw new PadOperationFailure(`${operation.failure.msg}: ${pkgName} is not installed`);
        },
        finishedCallbacks: (_index, task) => [
          { kind: operation.kind, body: { taskId: task.taskId, taskStatus: taskCallbackFields(task).taskStatus, padCode: task.padCode, pkgName } },
        ],
      }).map((task) => padTaskRow(state, task));
    });
  }

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/upgradeImage`, ({ params }) => {
    const imageId = readString(params, 'imageId', true);
    const wipeData = readBoolean(params, 'wipeData', true);
    const indices = readTargetPads(state.fleet, params);
    if (!state.images.has(imageId)) throw new ArmcloudError(ARMCLOUD_ERRORS.unknownImage, imageId);
    return submitPadOperation(state, indices, {
      type: TASK_TYPE.upgradeImage,
      durationMs: 10_000,
      worksOffline: true,
      taskContent: `upgradeImage ${imageId}${wipeData ? ' wipeData' : ''}`,
      onRunning: (index) => {
        state.fleet.setPadStatus(index, PAD_STATUS.upgrading);
        return [padStatusEvent(state, index)];
      },
      apply: (index) => {
        const settings = state.fleet.settingsOf(index);
        settings.imageId = imageId;
        if (wipeData) {
          settings.apps.clear();
          settings.files = [];
        }
        state.fleet.setOnline(index, true);
        state.fleet.setPadStatus(index, PAD_STATUS.running);
      },
      finishedCallbacks: (index, task) => [
        {
          kind: 'imageUpgrade',
          body: {
            padCode: task.padCode,
            taskBusinessType: TASK_TYPE.upgradeImage,
            taskStatus: taskCallbackFields(task).taskStatus,
            taskId: task.taskId,
            taskContent: task.taskContent,
            endTime: task.endTime,
            taskResult: task.taskResult,
          },
        },
        padStatusEvent(state, index),
      ],
    }).map((task) => ({ taskId: task.taskId, padCode: task.padCode, errorMsg: null }));
  });

  // romVersion: the table lists android10 / android13, the example sends "android10.0": both accepted.
  armcloudRoute(scope, 'POST', `${OPENAPI}/image/uploadImage`, ({ params }) => {
    const imageFiles = readObjectList(params, 'imageFiles', true)!.map((file) => ({
      imageFileUrl: readString(file, 'imageFileUrl', true),
      imageTag: readString(file, 'imageTag', true),
    }));
    const serverType = readString(params, 'serverType', true);
    const romVersion = readString(params, 'romVersion', true);
    if (serverType !== 'Cruise10') throw badParameter('serverType must be Cruise10');
    if (!/^android1[03](\.0)?$/.test(romVersion)) throw badParameter('romVersion must be android10 or android13');
    const errorList: Array<{ imageTag: string; errorMessage: string }> = [];
    const accepted = imageFiles.filter((file) => {
      if (state.images.submit(file.imageTag)) return true;
      errorList.push({ imageTag: file.imageTag, errorMessage: 'Do not submit images repeatedly' });
      return false;
    });
    const tasks = accepted.length
      ? state.tasks.submit({
          type: TASK_TYPE.imageUpload,
          durationMs: 8000,
          subtasks: accepted.map((file) => ({
            taskContent: file.imageFileUrl,
            detail: { imageTag: file.imageTag },
            onFinish: () => {
              if (!isDownloadable(file.imageFileUrl)) {
                state.images.withdraw(file.imageTag);
                return { ok: false, error: 'Image file cannot be downloaded' };
              }
              state.images.publish(file.imageTag);
              return { ok: true };
            },
          })),
        })
      : [];
    return { imageTaskIds: tasks.map((task) => task.taskId), errorList };
  });
}
