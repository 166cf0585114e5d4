import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ARMCLOUD_CALLBACK_TYPES, isKnownCallbackTypeId } from './armcloud-callbacks';
import { sealArmcloudField } from './armcloud-encryption';
import { ARMCLOUD_ERRORS, ArmcloudError, armcloudRoute } from './armcloud-envelope';
import { badParameter, readBoolean, readIntegerList, readNumber, readObjectList, readString, readStringList, resolvePadCodes } from './armcloud-params';
import type { ArmcloudState } from './armcloud-state';

const OPENAPI = '/openapi/open';
const RTC = '/rtc/open/room';
/** The RTC application id and PaaS user id of the simulated account (room codes of shared rooms end with the latter). */
const RTC_APP_ID = 'armsimRtcApp0000000000001';
const PAAS_USER_ID = 'armsim';

/**
 * callbackUrl is stored as given; the document's examples have no scheme ("localhost:8080/callback"),
 * which is delivered over http.
 */
function readCallbackConfig(params: Record<string, unknown>): { ids: number[]; url: string } {
  const ids = readIntegerList(params, 'callbackIdList', true)!;
  const unknown = ids.filter((id) => !isKnownCallbackTypeId(id));
  if (unknown.length) throw badParameter(`unknown callback type id ${unknown.join(',')} (see config/selectList)`);
  const url = readString(params, 'callbackUrl', true);
  try {
    new URL(/^https?:\/\//i.test(url) ? url : `http://${url}`);
  } catch {
    throw badParameter('callbackUrl is not a URL');
  }
  return { ids: [...new Set(ids)], url };
}

/** RTC pads: `pads[]` with padCode; an unknown pad refuses the request (120005). */
function readRtcPads(state: ArmcloudState, params: Record<string, unknown>): number[] {
  const codes = readObjectList(params, 'pads', true)!.map((pad) => readString(pad, 'padCode', true));
  for (const code of codes) if (state.fleet.indexOf(code) === undefined) throw new ArmcloudError(ARMCLOUD_ERRORS.rtcUnknownPad, code);
  return codes.map((code) => state.fleet.indexOf(code)!);
}

function roomToken(roomCode: string, userId: string, expireSeconds: number): string {
  const expiresAt = Math.floor(Date.now() / 1000) + expireSeconds;
  const mac = createHmac('sha256', RTC_APP_ID).update(`${roomCode}:${userId}:${expiresAt}:${randomBytes(8).toString('hex')}`).digest('base64');
  return `001${RTC_APP_ID}${Buffer.from(`${roomCode}:${userId}:${expiresAt}`).toString('base64')}${mac}`;
}

/** Callback configuration, SDK (STS) tokens and RTC rooms. */
export function registerAccountRoutes(scope: FastifyInstance, state: ArmcloudState): void {
  armcloudRoute(scope, 'GET', `${OPENAPI}/config/selectList`, () =>
    ARMCLOUD_CALLBACK_TYPES.map((type) => ({ callbackName: type.callbackName, callbackType: type.callbackType, id: type.id })),
  );

  armcloudRoute(scope, 'GET', `${OPENAPI}/config/selectCallback`, () => state.callbacks.address);

  armcloudRoute(scope, 'POST', `${OPENAPI}/config/insertCallback`, ({ params }) => {
    const { ids, url } = readCallbackConfig(params);
    return state.callbacks.insert(ids, url);
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/config/updateCallback`, ({ params }) => {
    const { ids, url } = readCallbackConfig(params);
    return state.callbacks.update(ids, url);
  });

  armcloudRoute(scope, 'POST', `${OPENAPI}/config/deleteCallback`, () => state.callbacks.delete());

  armcloudRoute(scope, 'GET', `${OPENAPI}/token/stsToken`, () => ({ token: randomUUID() }));

  armcloudRoute(scope, 'POST', `${OPENAPI}/token/stsTokenByPadCode`, ({ params }) => {
    resolvePadCodes(state.fleet, [readString(params, 'padCode', true)]);
    return { token: randomUUID() };
  });

  armcloudRoute(scope, 'POST', `${RTC}/dissolveRoom`, ({ params }) => {
    const successList: Array<{ padCode: string }> = [];
    const failList: Array<{ padCode: string; errorCode: number; errorMsg: string }> = [];
    for (const padCode of readStringList(params, 'padCodes', true)!) {
      const index = state.fleet.indexOf(padCode);
      if (index === undefined) {
        failList.push({ padCode, errorCode: ARMCLOUD_ERRORS.rtcUnknownPad.code, errorMsg: ARMCLOUD_ERRORS.rtcUnknownPad.msg });
      } else {
        state.fleet.setStreaming(index, false);
        successList.push({ padCode });
      }
    }
    return { successList, failList };
  });

  // Connection addresses are AES-GCM encrypted with the pad code as key (see armcloud-crypto); an offline pad gets msg "connect pad fail".
  armcloudRoute(scope, 'POST', `${RTC}/batchApplyToken`, ({ params }) => {
    const userId = readString(params, 'userId', true);
    const expire = readNumber(params, 'expire') ?? 86_400;
    if (!Number.isInteger(expire) || expire <= 0) throw badParameter('expire must be a positive number of seconds');
    return readRtcPads(state, params).map((index) => {
      const padCode = state.fleet.codeOf(index);
      const roomCode = `${padCode}${userId}`;
      const common = { roomCode, appId: RTC_APP_ID, streamType: 2, videoCodec: '', reportSdkLog: false, padCode };
      if (!state.fleet.isOnline(index)) return { roomToken: null, ...common, msg: 'connect pad fail', signalServer: null, stuns: null, turns: null };
      state.fleet.setStreaming(index, true);
      const dc = state.fleet.dataCenterOf(index).dcCode;
      return {
        roomToken: roomToken(roomCode, userId, expire),
        ...common,
        msg: null,
        signalServer: sealArmcloudField(`wss://rtc-${dc}.armcloud.example:443/signal`, padCode),
        stuns: sealArmcloudField(JSON.stringify([{ uri: `stun:stun-${dc}.armcloud.example:3478` }]), padCode),
        turns: sealArmcloudField(JSON.stringify([{ uri: `turn:turn-${dc}.armcloud.example:3478`, username: padCode, pwd: roomCode }]), padCode),
      };
    });
  });

  // Room number: terminal + userId + PaaS user id (the document's rule).
  armcloudRoute(scope, 'POST', `${RTC}/share/applyToken`, ({ params }) => {
    const userId = readString(params, 'userId', true);
    const terminal = readString(params, 'terminal', true);
    const expire = readNumber(params, 'expire') ?? 3600;
    readBoolean(params, 'pushPublicStream');
    if (!Number.isInteger(expire) || expire <= 0) throw badParameter('expire must be a positive number of seconds');
    for (const index of readRtcPads(state, params)) state.fleet.setStreaming(index, true);
    const roomCode = `${terminal}${userId}${PAAS_USER_ID}`;
    return { roomToken: roomToken(roomCode, userId, expire), roomCode, appId: RTC_APP_ID };
  });
}
