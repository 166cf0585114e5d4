import type { FastifyReply } from 'fastify';

/**
 * Gizwits answers failures as `{error_code, error_message, detail_message}`, with HTTP 400 (404 for
 * an unknown resource). The document's error-code section is empty; the codes and messages are those
 * of Gizwits' public Open API table (the GizWifiSDK's GizWifiErrorCode), written here from that table.
 * Each is answered in the situation the table names (README.md lists them).
 */
export const GizwitsError = {
  AppIdInvalid: { code: 9003, message: 'appid invalid' },
  TokenInvalid: { code: 9004, message: 'token invalid' },
  UserNotExist: { code: 9005, message: 'user not exist' },
  TokenExpired: { code: 9006, message: 'token expired' },
  ServerError: { code: 9008, message: 'server error' },
  CodeInvalid: { code: 9010, message: 'code invalid' },
  DeviceNotFound: { code: 9014, message: 'device not found!' },
  FormInvalid: { code: 9015, message: 'form invalid!' },
  DidPasscodeInvalid: { code: 9016, message: 'did or passcode invalid!' },
  DeviceNotBound: { code: 9017, message: 'device not bound!' },
  PhoneUnavailable: { code: 9018, message: 'phone unavailable!' },
  UsernameUnavailable: { code: 9019, message: 'username unavailable!' },
  UsernamePasswordError: { code: 9020, message: 'username or password error!' },
  EmailUnavailable: { code: 9022, message: 'email unavailable!' },
  AttrInvalid: { code: 9025, message: 'attr invalid!' },
  SchedulerNotFound: { code: 9030, message: 'scheduler not found!' },
  ApplicationAuthInvalid: { code: 9038, message: 'X-Gizwits-Application-Auth invalid!' },
  RequestThrottled: { code: 9041, message: 'request was throttled' },
  DeviceOffline: { code: 9042, message: 'device offline!' },
} as const;

export type GizwitsErrorEntry = (typeof GizwitsError)[keyof typeof GizwitsError];

/** The failure envelope; `detail` says what in this request was wrong. */
export function gizwitsErrorBody(error: GizwitsErrorEntry, detail: string | null = null) {
  return { error_code: error.code, error_message: error.message, detail_message: detail };
}

export function gizwitsError(
  reply: FastifyReply,
  error: GizwitsErrorEntry,
  detail: string | null = null,
  status = 400,
) {
  return reply.code(status).send(gizwitsErrorBody(error, detail));
}
