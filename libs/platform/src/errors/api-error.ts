import type { FieldProblem, VendorRefusal } from '@fleetgate/domain';

export type { FieldProblem } from '@fleetgate/domain';
export type VendorErrorInfo = VendorRefusal;

/**
 * An error as API clients see it: status, code, message, details. Only the error filter builds these,
 * from domain errors (`@fleetgate/domain`), Prisma's, Fastify's and Nest's; nothing else throws them.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
    readonly vendor?: VendorErrorInfo,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
