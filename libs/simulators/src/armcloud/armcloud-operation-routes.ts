import type { FastifyInstance } from 'fastify';
import { runAdbScript } from './armcloud-adb-shell';
import type { ArmcloudCallbackEvent } from './armcloud-callbacks';
import { ARMCLOUD_ERRORS, armcloudRoute } from './armcloud-envelope';
import { badParameter, readBoolean, readNumber, readString, readStringList, readTargetPads, resolvePadCodes } from './armcloud-params';
import { type ArmcloudState, OFFLINE_ERROR, padTaskRow, PadOperationFailure, submitPadOperation, taskCallbackFields } from './armcloud-state';
import { type ArmcloudTask, TASK_TYPE, taskStatusCode } from './armcloud-tasks';

const OPENAPI = '/openapi/open';

/**
 * The result of a command is its output; a command that prints nothing reports "Success" (the
 * document's examples show "Success" where the output goes).
 */
function commandResult(state: ArmcloudState, index: number, script: string): string {
  const run = runAdbScript(state.fleet, index, script);
  if (!run.ok) throw new PadOperationFailure(`${ARMCLOUD_ERRORS.adbCommandFailed.msg}: ${run.output || 'exit status 1'}`);
  return run.output || 'Success';
}

function asyncCmdEvent(task: ArmcloudTask, script: string): ArmcloudCallbackEvent {
  return {
    kind: 'asyncCmd',
    body: {
      ...taskCallbackFields(task),
      padCode: task.padCode,
      taskResult: task.taskResult,
      taskContent: task.taskContent,
      cmd: script,
      cmdResult: task.state === 'succeeded' ? task.taskResult : task.errorMsg,
    },
  };
}

const readRotation = (params: Record<string, unknown>) => {
  const rotation = readNumber(params, 'rotation') ?? 0;
  if (rotation !== 0 && rotation !== 1) throw badParameter('rotation must be 0 or 1');
  return rotation;
};

/** Instance manipulation: ADB commands (asynchronous and synchronous), screenshots and previews. */
export function registerOperationRoutes(scope: FastifyInstance, state: ArmcloudState): void {
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/asyncCmd`, ({ params }) => {
    const script = readString(params, 'scriptContent', true);
    return submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.executeCommand,
      durationMs: 1500,
      taskContent: script,
      detail: () => ({ cmd: script }),
      apply: (index) => commandResult(state, index, script),
      finishedCallbacks: (_index, task) => [asyncCmdEvent(task, script)],
    }).map((task) => padTaskRow(state, task));
  });

  // Runs at once and answers with the outcome; also recorded as a 1002 task for executeScriptInfo.
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/syncCmd`, ({ params }) => {
    const script = readString(params, 'scriptContent', true);
    const codes = readStringList(params, 'padCodes') ?? [readString(params, 'padCode', true)];
    const indices = resolvePadCodes(state.fleet, codes);
    const tasks = state.tasks.submit(
      {
        type: TASK_TYPE.executeCommand,
        durationMs: 0,
        subtasks: indices.map((index) => ({
          padCode: state.fleet.codeOf(index),
          taskContent: script,
          detail: { cmd: script },
          onFinish: () => {
            if (!state.fleet.isOnline(index)) return { ok: false, result: OFFLINE_ERROR, error: OFFLINE_ERROR };
            try {
              return { ok: true, result: commandResult(state, index, script) };
            } catch (error) {
              if (!(error instanceof PadOperationFailure)) throw error;
              return { ok: false, result: error.message, error: error.message };
            }
          },
        })),
      },
      { immediate: true },
    );
    return tasks.map((task) => ({ taskId: task.taskId, padCode: task.padCode, taskStatus: taskStatusCode(task), taskResult: task.taskResult }));
  });

  // Saves a screenshot on the pad; screenshotInfo reports the saved file's path as the task result.
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/screenshot`, ({ params }) => {
    const rotation = readRotation(params);
    readBoolean(params, 'broadcast');
    return submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.screenshot,
      durationMs: 1000,
      taskContent: `screenshot rotation=${rotation}`,
      apply: (index, task) => {
        const path = `/sdcard/Pictures/Screenshots/screenshot_${task.taskId}.png`;
        state.fleet.settingsOf(index).files.push(path);
        return path;
      },
    }).map((task) => padTaskRow(state, task));
  });

  // Synchronous: a download address per pad (null for an offline pad, which has no screen to capture).
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/generatePreview`, ({ params }) => {
    const rotation = readRotation(params);
    readBoolean(params, 'broadcast');
    const now = Date.now();
    return readTargetPads(state.fleet, params).map((index) => {
      const padCode = state.fleet.codeOf(index);
      const dc = state.fleet.dataCenterOf(index);
      return {
        padCode,
        accessUrl: state.fleet.isOnline(index) ? `https://oss-${dc.dcCode}.armcloud.example/screenshots/${padCode}/${now}-r${rotation}.png` : null,
      };
    });
  });
}
