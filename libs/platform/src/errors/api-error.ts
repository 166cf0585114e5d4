import { HttpStatus } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  problem: string;
}

export interface VendorErrorInfo {
  vendor: string;
  code: string;
  message: string;
}

/**
 * An error that already knows how it is shown to API clients. Services throw these; the global
 * filter turns them into the error envelope.
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

  static notFound(what: string, id?: string): ApiError {
    return new ApiError(
      HttpStatus.NOT_FOUND,
      'not_found',
      id ? `${what} ${id} does not exist` : `${what} does not exist`,
    );
  }

  static conflict(message: string, details?: FieldProblem[]): ApiError {
    return new ApiError(HttpStatus.CONFLICT, 'conflict', message, details);
  }

  static invalid(message: string, details?: FieldProblem[]): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, 'validation_failed', message, details);
  }

  static unprocessable(message: string, details?: FieldProblem[]): ApiError {
    return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'unprocessable', message, details);
  }

  static unauthorized(message = 'Authentication is required'): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, 'unauthorized', message);
  }

  static forbidden(message = 'You lack the permission this route needs'): ApiError {
    return new ApiError(HttpStatus.FORBIDDEN, 'forbidden', message);
  }
}
