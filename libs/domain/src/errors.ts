/**
 * What went wrong, in the domain's words. Services and repositories throw these; they know nothing of
 * HTTP. The gateway's one error filter turns each kind into a status and an error code, and the
 * worker tells them apart by class (a conflict is an answer, not a failure to retry).
 */

/** One field of a request and what is wrong with it. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** A vendor's own account of a refusal, kept as the vendor said it. */
export interface VendorRefusal {
  vendor: string;
  code: string;
  message: string;
}

export abstract class DomainError extends Error {
  constructor(
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing asked for does not exist, or lies outside the caller's data scope: the two look alike. */
export class NotFoundError extends DomainError {
  constructor(what: string, id?: string) {
    super(id ? `${what} ${id} does not exist` : `${what} does not exist`);
  }
}

/** The request clashes with the current state: a duplicate, a record in use, a state that moved on. */
export class ConflictError extends DomainError {}

/** The request is malformed: a field is missing, of the wrong shape or out of range. */
export class InvalidInputError extends DomainError {}

/** The request is well formed but breaks a rule of the domain (a limit, a capability, a state). */
export class RuleViolationError extends DomainError {}

/** The caller is not signed in, or their credentials no longer hold. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication is required', details?: FieldProblem[]) {
    super(message, details);
  }
}

/** The caller is known but lacks the permission or the reach the action needs. */
export class ForbiddenError extends DomainError {
  constructor(message = 'You lack the permission this route needs', details?: FieldProblem[]) {
    super(message, details);
  }
}

/** The caller asked too often; they may try again after the given number of seconds. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A vendor refused what Fleetgate asked of it on the caller's behalf. */
export class VendorRefusedError extends DomainError {
  constructor(
    message: string,
    readonly vendor: VendorRefusal,
  ) {
    super(message);
  }
}
