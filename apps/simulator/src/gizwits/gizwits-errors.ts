import type { FastifyReply } from 'fastify';

/**
 * Gizwits answers failures as `{error_code, error_message, detail_message}` with HTTP 400 (404 for
 * unknown resources). The document's error-code section is empty; these are the codes of Gizwits'
 * public API as its SDKs know them, listed in README.md.
 */
export const GizwitsError = {
  AppIdInvalid: 9001,
  TokenInvalid: 9004,
  UserNotFound: 9005,
  DeviceNotFound: 9014,
  FormInvalid: 9015,
  DeviceOffline: 9016,
  DeviceNotBound: 9017,
  UserExists: 9018,
  WrongPassword: 9020,
  CodeInvalid: 9010,
  SchedulerNotFound: 9022,
  AppAuthInvalid: 9025,
  DataPointInvalid: 9041,
  Internal: 9999,
} as const;

export function gizwitsError(reply: FastifyReply, code: number, message: string, status = 400) {
  return reply.code(status).send({ error_code: code, error_message: message, detail_message: null });
}
