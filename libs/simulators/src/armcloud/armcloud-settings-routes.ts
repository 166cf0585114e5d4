import type { FastifyInstance } from 'fastify';
import { ARMCLOUD_ERRORS, ArmcloudError, armcloudRoute } from './armcloud-envelope';
import { PAD_STATUS } from './armcloud-fleet';
import { badParameter, readBoolean, readNumber, readObjectList, readString, readStringList, readTargetPads, resolvePadCodes } from './armcloud-params';
import { type ArmcloudState, padStatusEvent, padTaskRow, submitPadOperation, taskCallbackFields } from './armcloud-state';
import { TASK_TYPE } from './armcloud-tasks';

const OPENAPI = '/openapi/open';

/**
 * Endpoints documented for one pad (`padCode`, answer an object) that also take a `padCodes` list
 * (the ADB table types padCodes as String, its example sends padCode): the pads addressed, and
 * whether to answer with one object.
 */
function readOneOrManyPads(state: ArmcloudState, params: Record<string, unknown>): { indices: number[]; single: boolean } {
  const list = readStringList(params, 'padCodes');
  if (list) return { indices: resolvePadCodes(state.fleet, list), single: list.length === 1 };
  return { indices: resolvePadCodes(state.fleet, [readString(params, 'padCode', true)]), single: true };
}

const oneOrMany = <T>(rows: T[], single: boolean): T | T[] => (single ? rows[0] : rows);

/** `2024-10-24 10:42:00` in China Standard Time, the vendor's clock. */
function vendorLocalTime(epochMs: number): string {
  return new Date(epochMs + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The SIM fields of the document's table and example (including the example's "operatorShortnam" spelling). */
const SIM_FIELDS = [
  'imei', 'imeisv', 'meid', 'operatorLongname', 'operatorShortname', 'operatorNumeric', 'spn', 'iccid', 'imsi', 'phonenum',
  'netCountry', 'simCountry', 'type', 'mcc', 'mnc', 'tac', 'cellid', 'narfcn', 'physicalcellid',
] as const;

/** Per-pad settings: time zone, language, SIM, GPS, proxy, Android props, contacts, bandwidth, ADB, blacklists, public IPs. */
export function registerSettingsRoutes(scope: FastifyInstance, state: ArmcloudState): void {
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/updateTimeZone`, ({ params }) => {
    const timeZone = readString(params, 'timeZone', true);
    if (!isTimeZone(timeZone)) throw badParameter(`unknown timeZone ${timeZone}`);
    return submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.modifyProperties,
      durationMs: 1500,
      taskContent: `timeZone=${timeZone}`,
      apply: (index) => void (state.fleet.settingsOf(index).timeZone = timeZone),
    }).map((task) => padTaskRow(state, task));
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/updateLanguage`, ({ params }) => {
    const language = readString(params, 'language', true);
    const country = readString(params, 'country');
    if (!/^[a-zA-Z]{2,3}$/.test(language)) throw badParameter('language must be an ISO 639 code such as zh or en');
    return submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.modifyProperties,
      durationMs: 1500,
      taskContent: `language=${language}${country ? `-${country}` : ''}`,
      apply: (index) => {
        const settings = state.fleet.settingsOf(index);
        settings.language = language;
        if (country) settings.country = country;
      },
    }).map((task) => padTaskRow(state, task));
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/updateSIM`, ({ params }) => {
    const sim: Record<string, string> = {};
    for (const field of SIM_FIELDS) {
      const value = readString(params, field);
      if (value !== undefined) sim[field] = value;
    }
    const shortName = readString(params, 'operatorShortnam');
    if (shortName !== undefined && sim.operatorShortname === undefined) sim.operatorShortname = shortName;
    if (sim.imei !== undefined && !/^\d{14,16}$/.test(sim.imei)) throw badParameter('imei must be 14 to 16 digits');
    return submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.modifyProperties,
      durationMs: 1500,
      taskContent: 'updateSIM',
      apply: (index) => {
        const settings = state.fleet.settingsOf(index);
        Object.assign(settings.sim, sim);
        if (sim.imei) settings.modemProperties.set('IMEI', sim.imei);
      },
    }).map((task) => padTaskRow(state, task));
  });

  // The table's descriptions of longitude and latitude are swapped; the names are taken as they read.
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/gpsInjectInfo`, ({ params }) => {
    const longitude = readNumber(params, 'longitude', true);
    const latitude = readNumber(params, 'latitude', true);
    if (longitude < -180 || longitude > 180) throw badParameter('longitude must be from -180 to 180');
    if (latitude < -90 || latitude > 90) throw badParameter('latitude must be from -90 to 90');
    return submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.modifyProperties,
      durationMs: 1000,
      taskContent: `gps=${longitude},${latitude}`,
      apply: (index) => void (state.fleet.settingsOf(index).gps = { longitude, latitude }),
    }).map((task) => padTaskRow(state, task));
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/network/proxy/set`, ({ params }) => {
    const enable = readBoolean(params, 'enable', true);
    const proxyType = readString(params, 'proxyType');
    const proxyName = readString(params, 'proxyName');
    const port = readNumber(params, 'port');
    if (proxyType !== undefined && !['proxy', 'vpn'].includes(proxyType)) throw badParameter('proxyType must be proxy or vpn');
    if (proxyName !== undefined && !['socks5', 'http-relay'].includes(proxyName)) throw badParameter('proxyName must be socks5 or http-relay');
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw badParameter('port must be 1..65535');
    const proxy = { enable, ip: readString(params, 'ip') ?? null, port: port ?? null, account: readString(params, 'account') ?? null, proxyType: proxyType ?? null, proxyName: proxyName ?? null };
    if (enable && (!proxy.ip || proxy.port === null)) throw badParameter('ip and port are required to enable a proxy');
    return submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.modifyProperties,
      durationMs: 1500,
      taskContent: `proxy ${enable ? 'on' : 'off'}`,
      apply: (index) => void (state.fleet.settingsOf(index).proxy = { ...proxy, password: readString(params, 'password') ?? null }),
    }).map((task) => padTaskRow(state, task));
  });

  // Answered with tasks, as documented; the proxy settings are the task result (JSON text).
  armcloudRoute(scope, 'POST', `${OPENAPI}/network/proxy/info`, ({ params }) =>
    submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.modifyProperties,
      durationMs: 500,
      taskContent: 'proxyInfo',
      apply: (index) => {
        const proxy = state.fleet.settingsOf(index).proxy;
        const { password: _password, ...visible } = proxy ?? { enable: false };
        return JSON.stringify(visible);
      },
    }).map((task) => padTaskRow(state, task)),
  );

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/updatePadAndroidProp`, ({ params }) => {
    const { indices, single } = readOneOrManyPads(state, params);
    const props = params.props;
    if (!props || typeof props !== 'object' || Array.isArray(props) || Object.keys(props).length === 0) throw badParameter('props is required');
    const values = Object.fromEntries(Object.entries(props as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
    const restart = readBoolean(params, 'restart') ?? false;
    const tasks = submitPadOperation(state, indices, {
      type: TASK_TYPE.modifyProperties,
      durationMs: restart ? 4000 : 1500,
      taskContent: `androidProps${restart ? ' restart' : ''}`,
      onRunning: (index) => {
        if (!restart) return;
        state.fleet.setPadStatus(index, PAD_STATUS.restarting);
        return [padStatusEvent(state, index)];
      },
      apply: (index) => {
        Object.assign(state.fleet.settingsOf(index).androidProps, values);
        if (restart) state.fleet.setPadStatus(index, PAD_STATUS.running);
      },
      finishedCallbacks: (index) => (restart ? [padStatusEvent(state, index)] : []),
    });
    return oneOrMany(tasks.map((task) => ({ taskId: task.taskId, padCode: task.padCode })), single);
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/updateContacts`, ({ params }) => {
    const { indices, single } = readOneOrManyPads(state, params);
    const fileUniqueId = readString(params, 'fileUniqueId');
    const info = params.info;
    if (!fileUniqueId && (!info || typeof info !== 'object')) throw badParameter('fileUniqueId or info is required');
    if (fileUniqueId && !state.files.get(fileUniqueId)?.available) throw new ArmcloudError(ARMCLOUD_ERRORS.fileNotAvailable, fileUniqueId);
    const tasks = submitPadOperation(state, indices, {
      type: TASK_TYPE.modifyProperties,
      durationMs: 1500,
      taskContent: 'updateContacts',
      apply: (index) => void (state.fleet.settingsOf(index).contacts += 1),
    });
    return oneOrMany(tasks.map((task) => padTaskRow(state, task)), single);
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/setSpeed`, ({ params }) => {
    const upBandwidth = readNumber(params, 'upBandwidth', true);
    const downBandwidth = readNumber(params, 'downBandwidth', true);
    if (upBandwidth < -1 || downBandwidth < -1) throw badParameter('bandwidth must be >= -1 (0: no limit, -1: no internet)');
    return submitPadOperation(state, readTargetPads(state.fleet, params), {
      type: TASK_TYPE.modifyProperties,
      durationMs: 1000,
      taskContent: `speed up=${upBandwidth} down=${downBandwidth}`,
      apply: (index) => void (state.fleet.settingsOf(index).bandwidth = { upBandwidth, downBandwidth }),
    }).map((task) => padTaskRow(state, task));
  });

  // Synchronous: the answer carries the connection command (a TEST-NET address) and its expiry (24 h).
  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/adb`, ({ params }) => {
    const { indices, single } = readOneOrManyPads(state, params);
    const enable = readBoolean(params, 'enable', true);
    const expiry = vendorLocalTime(Date.now() + 24 * 3600_000);
    const rows = indices.map((index) => {
      state.fleet.settingsOf(index).adbEnabled = enable;
      const device = state.fleet.deviceOf(index);
      return {
        padCode: state.fleet.codeOf(index),
        command: enable ? `adb connect 203.0.113.${(device % 254) + 1}:${20000 + (index % 40000)}` : null,
        expireTime: enable ? expiry : null,
        enable,
      };
    });
    return oneOrMany(rows, single);
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/appBlack/setUpBlackList`, ({ params }) => {
    const padGrade = readString(params, 'padGrade', true);
    const blackApps = readObjectList(params, 'blackApps', true)!.map((app) => {
      const appPkg = readString(app, 'appPkg', true);
      return { appPkg, appName: readString(app, 'appName') ?? appPkg };
    });
    state.blacklists.set(padGrade, blackApps);
    return null;
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/pad/triggeringBlacklist`, ({ params }) => {
    const padGrade = readString(params, 'padGrade', true);
    const codes = readStringList(params, 'padCodes');
    const blacklist = state.blacklists.get(padGrade);
    if (!blacklist) throw new ArmcloudError(ARMCLOUD_ERRORS.noBlacklistForGrade, padGrade);
    let indices: number[];
    if (codes) {
      indices = resolvePadCodes(state.fleet, codes);
    } else {
      indices = [];
      for (let i = 0; i < state.fleet.size; i++) if (state.fleet.gradeOf(i) === padGrade) indices.push(i);
    }
    return submitPadOperation(state, indices, {
      type: TASK_TYPE.modifyProperties,
      durationMs: 2000,
      taskContent: `blacklist ${padGrade}: ${blacklist.map((app) => app.appPkg).join(',')}`,
      apply: (index) => {
        for (const app of blacklist) state.fleet.settingsOf(index).apps.delete(app.appPkg);
      },
      finishedCallbacks: (index, task) => [
        { kind: 'appBlacklist', body: { padCode: state.fleet.codeOf(index), taskId: task.taskId, taskStatus: taskCallbackFields(task).taskStatus } },
      ],
    }).map((task) => padTaskRow(state, task));
  });

  const readBinding = (params: Record<string, unknown>) => {
    const publicIP = readString(params, 'publicIP', true);
    const padIP = readString(params, 'padIP', true);
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(publicIP)) throw badParameter('publicIP must be an IPv4 address');
    if (state.fleet.indexOfPadIp(padIP) === undefined) throw new ArmcloudError(ARMCLOUD_ERRORS.unknownPad, padIP);
    return { publicIP, padIP };
  };

  armcloudRoute(scope, 'POST', `${OPENAPI}/network/bindIp`, ({ params }) => {
    const { publicIP, padIP } = readBinding(params);
    const bound = state.publicIpBindings.get(publicIP) ?? new Set<string>();
    bound.add(padIP);
    state.publicIpBindings.set(publicIP, bound);
    return {};
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/network/unbindIp`, ({ params }) => {
    const { publicIP, padIP } = readBinding(params);
    state.publicIpBindings.get(publicIP)?.delete(padIP);
    return {};
  });

  armcloudRoute(scope, 'GET', `${OPENAPI}/network/getIP`, ({ params }) => {
    const publicIP = readString(params, 'publicIP', true);
    return { ipAddresses: [...(state.publicIpBindings.get(publicIP) ?? [])].map((ip) => `${ip}/32`) };
  });
}
