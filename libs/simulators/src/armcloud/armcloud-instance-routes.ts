import type { FastifyInstance } from 'fastify';
import type { ArmcloudCallbackEvent } from './armcloud-callbacks';
import { ARMCLOUD_ERRORS, ArmcloudError, armcloudRoute } from './armcloud-envelope';
import { GROUPS, PAD_STATUS, type ArmcloudProperty } from './armcloud-fleet';
import {
  badParameter,
  paginate,
  readIntegerList,
  readNumber,
  readObjectList,
  readPage,
  readString,
  readStringList,
  readTargetPads,
  resolvePadCodes,
} from './armcloud-params';
import { type ArmcloudState, padStatusEvent, padTaskRow, submitPadOperation, taskCallbackFields } from './armcloud-state';
import { type ArmcloudTask, TASK_TYPE } from './armcloud-tasks';

const OPENAPI = '/openapi/open';

/** Instance state task callback (restart 1000 / reset 1001). */
function padTaskEvent(task: ArmcloudTask): ArmcloudCallbackEvent {
  return {
    kind: 'padTask',
    body: {
      taskBusinessType: task.type,
      taskId: task.taskId,
      taskStatus: taskCallbackFields(task).taskStatus,
      padCode: task.padCode,
      taskResult: task.taskResult,
      taskContent: task.taskContent,
      endTime: task.endTime,
    },
  };
}

/** Restart, reset and one-click new machine: the pad passes through a transitional status and comes back running and online. */
function submitLifecycle(state: ArmcloudState, indices: number[], kind: 'restart' | 'reset' | 'replace', countryCode?: string): ArmcloudTask[] {
  const restart = kind === 'restart';
  return submitPadOperation(state, indices, {
    type: restart ? TASK_TYPE.padRestart : TASK_TYPE.padReset,
    durationMs: restart ? 4000 : 8000,
    worksOffline: true,
    taskContent: kind === 'replace' ? `replacePad${countryCode ? ` countryCode=${countryCode}` : ''}` : null,
    onRunning: (index) => {
      state.fleet.setPadStatus(index, restart ? PAD_STATUS.restarting : PAD_STATUS.resetting);
      return [padStatusEvent(state, index)];
    },
    apply: (index) => {
      if (!restart) {
        // A reset clears apps, files and settings: forget the pad's changes, keep its hardware identity.
        const settings = state.fleet.settingsOf(index);
        settings.apps.clear();
        settings.files = [];
        settings.contacts = 0;
        settings.proxy = undefined;
        settings.gps = undefined;
        if (kind === 'replace' && countryCode) settings.country = countryCode;
      }
      state.fleet.setOnline(index, true);
      state.fleet.setPadStatus(index, PAD_STATUS.running);
    },
    finishedCallbacks: (index, task) => [padTaskEvent(task), padStatusEvent(state, index)],
  });
}

const toProperties = (list: ArmcloudProperty[]) => list.map((item) => ({ ...item }));

/** Instance management: lifecycle, properties, details and lists, groups, model info, physical machines. */
export function registerInstanceRoutes(scope: FastifyInstance, state: ArmcloudState): void {
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/restart`, ({ params }) =>
    submitLifecycle(state, readTargetPads(state.fleet, params, { allowGroups: true }), 'restart').map((task) => padTaskRow(state, task)),
  );

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/reset`, ({ params }) =>
    submitLifecycle(state, readTargetPads(state.fleet, params, { allowGroups: true }), 'reset').map((task) => padTaskRow(state, task)),
  );

  // The table names the list "padCode", the example "padCodes"; the answer is one object for one pad.
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/replacePad`, ({ params }) => {
    const codes = readStringList(params, 'padCodes') ?? readStringList(params, 'padCode', true)!;
    const tasks = submitLifecycle(state, resolvePadCodes(state.fleet, codes), 'replace', readString(params, 'countryCode'));
    const rows = tasks.map((task) => ({ ...padTaskRow(state, task), vmStatus: PAD_STATUS.resetting }));
    return rows.length === 1 ? rows[0] : rows;
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/padProperties`, ({ params }) => {
    const [index] = resolvePadCodes(state.fleet, [readString(params, 'padCode', true)]);
    const properties = state.fleet.propertiesOf(index);
    return {
      padCode: state.fleet.codeOf(index),
      modemPropertiesList: toProperties(properties.modem),
      systemPropertiesList: toProperties(properties.system),
      settingPropertiesList: toProperties(properties.setting),
      oaidPropertiesList: toProperties(properties.oaid),
    };
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/updatePadProperties`, ({ params }) => {
    const indices = readTargetPads(state.fleet, params);
    const lists = {
      modem: [...(readObjectList(params, 'modemPersistPropertiesList') ?? []), ...(readObjectList(params, 'modemPropertiesList') ?? [])],
      system: [...(readObjectList(params, 'systemPersistPropertiesList') ?? []), ...(readObjectList(params, 'systemPropertiesList') ?? [])],
      setting: readObjectList(params, 'settingPropertiesList') ?? [],
      oaid: readObjectList(params, 'oaidPropertiesList') ?? [],
    };
    for (const item of Object.values(lists).flat()) {
      if (typeof item.propertiesName !== 'string' || item.propertiesName === '') throw badParameter('propertiesName is required in every property');
    }
    return submitPadOperation(state, indices, {
      type: TASK_TYPE.modifyProperties,
      durationMs: 2000,
      taskContent: 'updatePadProperties',
      apply: (index) => {
        const settings = state.fleet.settingsOf(index);
        const targets = { modem: settings.modemProperties, system: settings.systemProperties, setting: settings.settingProperties, oaid: settings.oaidProperties };
        for (const [list, items] of Object.entries(lists) as Array<[keyof typeof targets, Array<Record<string, unknown>>]>) {
          for (const item of items) targets[list].set(String(item.propertiesName), String(item.propertiesValue ?? ''));
        }
      },
    }).map((task) => padTaskRow(state, task));
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/padDetails`, ({ params }) => {
    const page = readPage(params);
    const fleet = state.fleet;
    const codes = readStringList(params, 'padCodes');
    const ips = readStringList(params, 'padIps');
    const vmStatus = readNumber(params, 'vmStatus');
    const controlStatus = readNumber(params, 'controlStatus');
    const faultStatus = readNumber(params, 'faultStatus');
    const deviceStatus = readNumber(params, 'deviceStatus');
    const groupId = readNumber(params, 'groupId');
    const idcCode = readString(params, 'idcCode');
    let candidates: number[];
    if (codes || ips) {
      const named = new Set<number>();
      for (const code of codes ?? []) {
        const index = fleet.indexOf(code);
        if (index !== undefined) named.add(index);
      }
      for (const ip of ips ?? []) {
        const index = fleet.indexOfPadIp(ip);
        if (index !== undefined) named.add(index);
      }
      candidates = [...named].sort((a, b) => a - b);
    } else {
      candidates = Array.from({ length: fleet.size }, (_, i) => i);
    }
    const matches = candidates.filter(
      (i) =>
        (vmStatus === undefined || (fleet.isOnline(i) ? 1 : 0) === vmStatus) &&
        (controlStatus === undefined || (fleet.isStreaming(i) ? 2 : 1) === controlStatus) &&
        (faultStatus === undefined || (faultStatus === PAD_STATUS.exception) === (fleet.padStatus(i) === PAD_STATUS.exception)) &&
        (deviceStatus === undefined || (fleet.isDeviceOnline(fleet.deviceOf(i)) ? 1 : 0) === deviceStatus) &&
        (groupId === undefined || fleet.groupOf(i) === groupId) &&
        (idcCode === undefined || fleet.dataCenterOf(i).idcCode === idcCode || fleet.dataCenterOf(i).dcCode === idcCode),
    );
    return paginate(matches, page, (i) => {
      const identity = fleet.identityOf(i);
      const dc = fleet.dataCenterOf(i);
      const endpoint = `https://oss-${dc.dcCode}.armcloud.example`;
      return {
        padCode: fleet.codeOf(i),
        imageId: fleet.imageOf(i),
        deviceLevel: fleet.gradeOf(i),
        dcInfo: {
          dcCode: dc.dcCode,
          dcName: dc.dcName,
          area: dc.area,
          ossEndpoint: endpoint,
          ossEndpointInternal: `https://oss-${dc.dcCode}-internal.armcloud.example`,
          ossFileEndpoint: `${endpoint}/files`,
          ossScreenshotEndpoint: `${endpoint}/screenshots`,
        },
        padStatus: fleet.padStatus(i),
        deviceStatus: fleet.isDeviceOnline(fleet.deviceOf(i)) ? 1 : 0,
        online: fleet.isOnline(i) ? 1 : 0,
        streamStatus: fleet.isStreaming(i) ? 1 : 0,
        dataSize: identity.dataSize,
        dataSizeUsed: identity.dataSizeUsed,
      };
    });
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/infos`, ({ params }) => {
    const page = readPage(params);
    const fleet = state.fleet;
    const codes = readStringList(params, 'padCodes');
    const groupIds = readIntegerList(params, 'groupIds');
    const groups = groupIds ? new Set(groupIds) : undefined;
    let candidates: number[];
    if (codes) {
      candidates = [...new Set(codes.map((code) => fleet.indexOf(code)).filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
    } else {
      candidates = Array.from({ length: fleet.size }, (_, i) => i);
    }
    const matches = groups ? candidates.filter((i) => groups.has(fleet.groupOf(i))) : candidates;
    return paginate(matches, page, (i) => ({
      padCode: fleet.codeOf(i),
      padGrade: fleet.gradeOf(i),
      padStatus: fleet.padStatus(i),
      groupId: fleet.groupOf(i),
      idcCode: fleet.dataCenterOf(i).idcCode,
      deviceIp: fleet.deviceIpOf(fleet.deviceOf(i)),
      padIp: fleet.padIpOf(i),
      apps: fleet.installedApps(i).map((app) => app.pkgName),
    }));
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/group/infos`, ({ params }) => {
    const fleet = state.fleet;
    const padCode = readString(params, 'padCode');
    const groupIds = readIntegerList(params, 'groupIds');
    let groups = GROUPS.filter((group) => !groupIds || groupIds.includes(group.groupId));
    if (padCode !== undefined) {
      const index = fleet.indexOf(padCode);
      groups = index === undefined ? [] : groups.filter((group) => group.groupId === fleet.groupOf(index));
    }
    const counts = new Map<number, number>();
    for (let i = 0; i < fleet.size; i++) counts.set(fleet.groupOf(i), (counts.get(fleet.groupOf(i)) ?? 0) + 1);
    return groups.map((group) => ({ ...group, padCount: counts.get(group.groupId) ?? 0 }));
  });

  // The table spells "Brand"; the example, like every other field, is lower camel case: "brand".
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/modelInfo`, ({ params }) =>
    resolvePadCodes(state.fleet, readStringList(params, 'padCodes', true)!).map((i) => {
      const identity = state.fleet.identityOf(i);
      return {
        padCode: state.fleet.codeOf(i),
        imei: identity.imei,
        serialno: identity.serialno,
        wifimac: identity.wifimac,
        androidid: identity.androidid,
        model: identity.model,
        brand: identity.brand,
        manufacturer: identity.manufacturer,
        isRoot: identity.isRoot,
        width: identity.width,
        height: identity.height,
        memoryLimit: identity.memoryLimit,
      };
    }),
  );

  // Power-cycles physical machines: the machine goes offline then online; its pads restart with it.
  armcloudRoute(scope, 'POST', `${OPENAPI}/device/powerReset`, ({ params }) => {
    const ips = readStringList(params, 'deviceIps', true)!;
    const rawType = Array.isArray(params.type) ? params.type[0] : params.type;
    const type = readNumber({ type: rawType }, 'type', true);
    if (type !== 2) throw new ArmcloudError(ARMCLOUD_ERRORS.powerResetBadParameter, 'type must be 2 (power cycle)');
    const fleet = state.fleet;
    const devices = ips.map((ip) => {
      const device = fleet.deviceIndexOfIp(ip);
      if (device === undefined) throw new ArmcloudError(ARMCLOUD_ERRORS.unknownDeviceIp, ip);
      return device;
    });
    const deviceEvent = (device: number): ArmcloudCallbackEvent => ({
      kind: 'deviceStatus',
      body: { deviceStatus: fleet.isDeviceOnline(device) ? 1 : 0, deviceCode: fleet.deviceCodeOf(device) },
    });
    const tasks = state.tasks.submit({
      type: TASK_TYPE.padRestart,
      durationMs: 6000,
      subtasks: devices.map((device) => ({
        padCode: fleet.deviceCodeOf(device),
        taskContent: `powerReset ${fleet.deviceIpOf(device)}`,
        detail: { deviceIp: fleet.deviceIpOf(device) },
        onRunning: () => {
          fleet.setDeviceOnline(device, false);
          const pads = fleet.padsOfDevice(device);
          for (const pad of pads) fleet.setPadStatus(pad, PAD_STATUS.restarting);
          return [deviceEvent(device), ...pads.map((pad) => padStatusEvent(state, pad))];
        },
        onFinish: () => {
          fleet.setDeviceOnline(device, true);
          for (const pad of fleet.padsOfDevice(device)) {
            fleet.setPadStatus(pad, PAD_STATUS.running);
            fleet.setOnline(pad, true);
          }
          return { ok: true };
        },
        finishedCallbacks: () => [deviceEvent(device), ...fleet.padsOfDevice(device).map((pad) => padStatusEvent(state, pad))],
      })),
    });
    return tasks.map((task, i) => ({ taskId: task.taskId, deviceIp: ips[i], errorMsg: null, deviceOutCode: fleet.deviceCodeOf(devices[i]) }));
  });
}
