import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Every ArmCloud answer: `{code, msg, ts, data}`, code 200 on success, HTTP 200 in every case. */
export interface ArmcloudEnvelope<T = unknown> {
  code: number;
  msg: string;
  ts: number;
  data: T;
}

export interface ArmcloudErrorSpec {
  code: number;
  msg: string;
}

/** The error codes that the vendor document lists, under the names of what they mean. */
export const ARMCLOUD_ERRORS = {
  badParameter: { code: 500, msg: 'Incorrect request parameter' },
  noAccess: { code: 100001, msg: 'No access' },
  invalidKey: { code: 100004, msg: 'Invalid key' },
  processingFailed: { code: 100010, msg: 'Processing failed' },
  rebootFailed: { code: 10001, msg: 'Reboot failed' },
  resetFailed: { code: 10002, msg: 'Reset failed' },
  screenshotFailed: { code: 110001, msg: 'Screenshot failed' },
  adbCommandFailed: { code: 110003, msg: 'Failed to execute ADB command' },
  rebootCommandFailed: { code: 110004, msg: 'Failed to execute reboot command' },
  resetCommandFailed: { code: 110005, msg: 'Failed to execute reset command' },
  downloadFailed: { code: 110006, msg: 'Download failed' },
  uninstallFailed: { code: 110007, msg: 'Failed to uninstall application' },
  startAppFailed: { code: 110008, msg: 'Failed to launch application' },
  restartAppFailed: { code: 110009, msg: 'Failed to restart the application' },
  stopAppFailed: { code: 110010, msg: 'Failed to stop the application' },
  modifyPropertiesFailed: { code: 110011, msg: 'Failed to execute modify attribute command' },
  commandTimeout: { code: 110012, msg: 'Command execution timeout' },
  duplicatePads: { code: 110027, msg: 'There is a duplicate item in the instance number set' },
  unknownPad: { code: 110028, msg: 'Instance does not exist' },
  powerResetBadParameter: { code: 110030, msg: 'Failed to execute power restart command, parameter request is not compliant' },
  unknownDeviceIp: { code: 110032, msg: 'Physical IP does not exist' },
  powerResetFailed: { code: 110033, msg: 'Failed to execute the power failure restart command' },
  upgradeImageFailed: { code: 110037, msg: 'Failed to execute upgrade image command' },
  taskAddFailed: { code: 110039, msg: 'Task add failed' },
  unknownImage: { code: 110041, msg: 'Mirror does not exist' },
  noBlacklistForGrade: { code: 110051, msg: 'No application blacklist configuration exists for this specification' },
  blacklistFailed: { code: 110052, msg: 'Failed to execute Set Application Blacklist command' },
  rtcDissolveFailed: { code: 120004, msg: 'Abort Push Error, Command Service Exception' },
  rtcUnknownPad: { code: 120005, msg: 'Instance does not exist' },
  rtcUnsupported: { code: 120007, msg: 'This interface does not support this feature at the moment' },
  fileNotAvailable: { code: 140005, msg: 'File not available' },
  badFilePath: { code: 140006, msg: 'Incorrect file storage path' },
} as const satisfies Record<string, ArmcloudErrorSpec>;

/** Thrown by a route handler; answered as the vendor's error envelope. */
export class ArmcloudError extends Error {
  constructor(
    readonly spec: ArmcloudErrorSpec,
    detail?: string,
  ) {
    super(detail ? `${spec.msg}: ${detail}` : spec.msg);
  }
}

export function successEnvelope<T>(data: T): ArmcloudEnvelope<T> {
  return { code: 200, msg: 'success', ts: Date.now(), data };
}

export function errorEnvelope(spec: ArmcloudErrorSpec, msg = spec.msg): ArmcloudEnvelope<null> {
  return { code: spec.code, msg, ts: Date.now(), data: null };
}

/** What a handler receives: the JSON body merged over the query string (some endpoints document query parameters but send JSON). */
export interface ArmcloudInput {
  params: Record<string, unknown>;
  request: FastifyRequest;
}

export type ArmcloudHandler = (input: ArmcloudInput) => unknown;

/** Registers one vendor endpoint: the handler's return value becomes `data`, an ArmcloudError its error envelope. */
export function armcloudRoute(scope: FastifyInstance, method: 'GET' | 'POST', url: string, handler: ArmcloudHandler): void {
  scope.route({
    method,
    url,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const body = request.body;
      if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
        return reply.send(errorEnvelope(ARMCLOUD_ERRORS.badParameter, `${ARMCLOUD_ERRORS.badParameter.msg}: the body must be a JSON object`));
      }
      try {
        const data = await handler({ params: { ...query, ...((body as Record<string, unknown> | undefined) ?? {}) }, request });
        return reply.send(successEnvelope(data ?? null));
      } catch (error) {
        if (error instanceof ArmcloudError) return reply.send(errorEnvelope(error.spec, error.message));
        throw error;
      }
    },
  });
}
