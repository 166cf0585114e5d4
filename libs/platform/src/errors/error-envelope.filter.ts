import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  RuleViolationError,
  UnauthenticatedError,
  VendorRefusedError,
} from '@fleetgate/domain';
import { ApiError, type FieldProblem } from './api-error';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  500: 'internal',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'timeout',
};

/** Prisma's known request errors (duck-typed: the class lives in the generated client). */
interface PrismaKnownError {
  name: string;
  code: string;
  meta?: {
    target?: string[] | string;
    modelName?: string;
    cause?: string;
    field_name?: string;
    /** Prisma 7 on driver adapters: the database's own account of the violation. */
    driverAdapterError?: { cause?: { constraint?: { fields?: string[]; index?: string } } };
  };
}

function isPrismaKnownError(error: unknown): error is PrismaKnownError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: string }).name === 'PrismaClientKnownRequestError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/** Prisma's error codes that are the client's fault, not ours. */
function fromPrisma(error: PrismaKnownError): DomainError | undefined {
  const constraint = error.meta?.driverAdapterError?.cause?.constraint;
  const target = error.meta?.target ?? constraint?.fields;
  const fields = (Array.isArray(target) ? target : target ? [target] : []).map((field) => ({
    field,
    problem: 'is already taken',
  }));
  const index = constraint?.index;
  switch (error.code) {
    case 'P2002':
      return new ConflictError(
        fields.length
          ? `A record with this ${fields.map((f) => f.field).join(', ')} already exists`
          : `The record already exists${index ? ` (${index})` : ''}`,
        fields,
      );
    case 'P2025':
    case 'P2001':
      return new NotFoundError(error.meta?.modelName ?? 'The record');
    case 'P2003':
      return new ConflictError('The record is referenced by, or refers to, a record that does not allow this change', [
        { field: error.meta?.field_name ?? 'reference', problem: 'violates a reference' },
      ]);
    case 'P2000':
      return new InvalidInputError('A value is too long for its field');
    default:
      return undefined;
  }
}

/** The one mapping of the domain's errors to HTTP. */
function fromDomain(error: DomainError): ApiError {
  const status = (code: number) => new ApiError(code, CODE_BY_STATUS[code]!, error.message, error.details);
  if (error instanceof NotFoundError) return status(HttpStatus.NOT_FOUND);
  if (error instanceof ConflictError) return status(HttpStatus.CONFLICT);
  if (error instanceof InvalidInputError) return status(HttpStatus.BAD_REQUEST);
  if (error instanceof RuleViolationError) return status(HttpStatus.UNPROCESSABLE_ENTITY);
  if (error instanceof UnauthenticatedError) return status(HttpStatus.UNAUTHORIZED);
  if (error instanceof ForbiddenError) return status(HttpStatus.FORBIDDEN);
  if (error instanceof RateLimitedError) {
    return new ApiError(HttpStatus.TOO_MANY_REQUESTS, 'rate_limited', error.message, error.details, undefined, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof VendorRefusedError) {
    return new ApiError(HttpStatus.BAD_GATEWAY, 'vendor_error', error.message, error.details, error.vendor);
  }
  return new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, 'internal', error.message);
}

/** Errors raised by Fastify itself (bad JSON, wrong content type, body too large) carry a 4xx statusCode. */
function fromFastify(error: unknown): ApiError | undefined {
  const candidate = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (
    typeof candidate?.statusCode !== 'number' ||
    typeof candidate.code !== 'string' ||
    !candidate.code.startsWith('FST_')
  ) {
    return undefined;
  }
  const status = candidate.statusCode;
  if (status < 400 || status >= 500) return undefined;
  const details: FieldProblem[] | undefined = candidate.code.startsWith('FST_ERR_CTP')
    ? [{ field: 'body', problem: String(candidate.message) }]
    : undefined;
  return new ApiError(status, CODE_BY_STATUS[status] ?? 'bad_request', String(candidate.message), details);
}

/** @nestjs/terminus answers a failed check with `{ status: 'error', error: { [component]: { status, message } } }`. */
function fromHealthCheck(response: unknown): ApiError | undefined {
  const body = response as { status?: unknown; error?: Record<string, { status?: string; message?: string }> };
  if (body?.status !== 'error' || typeof body.error !== 'object') return undefined;
  const details = Object.entries(body.error).map(([component, info]) => ({
    field: component,
    problem: info.message ? `${info.status ?? 'down'}: ${info.message}` : (info.status ?? 'down'),
  }));
  return new ApiError(
    HttpStatus.SERVICE_UNAVAILABLE,
    'unavailable',
    `Not ready: ${details.map((d) => d.field).join(', ')} ${details.length === 1 ? 'is' : 'are'} down`,
    details,
  );
}

function fromHttpException(exception: HttpException): ApiError {
  const status = exception.getStatus();
  const health = fromHealthCheck(exception.getResponse());
  if (health) return health;
  const response = exception.getResponse() as string | { message?: string | string[]; details?: FieldProblem[] };
  const rawMessage = typeof response === 'string' ? response : response.message;
  const message = Array.isArray(rawMessage) ? rawMessage.join('; ') : (rawMessage ?? exception.message);
  const details = typeof response === 'object' ? response.details : undefined;
  return new ApiError(status, CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad_request'), message, details);
}

/**
 * The one place where anything thrown becomes the error envelope:
 * `{ error: { code, message, details?, vendor?, requestId } }`.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorEnvelope');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.answer(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** The same answer for a route Fastify serves without Nest's pipeline (its error handler). */
  answer(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const error = this.toApiError(exception);
    if (error.status >= 500) {
      this.logger.error({ err: exception, requestId: request.id }, 'request failed');
    }
    for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
    void reply.status(error.status).send(ErrorEnvelopeFilter.envelope(error, String(request.id)));
  }

  static envelope(error: ApiError, requestId: string) {
    return {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details?.length ? { details: error.details } : {}),
        ...(error.vendor ? { vendor: error.vendor } : {}),
        requestId,
      },
    };
  }

  private toApiError(exception: unknown): ApiError {
    if (exception instanceof DomainError) return fromDomain(exception);
    if (exception instanceof ApiError) return exception;
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (isPrismaKnownError(exception)) {
      const mapped = fromPrisma(exception);
      if (mapped) return fromDomain(mapped);
    }
    return (
      fromFastify(exception) ??
      new ApiError(
        HttpStatus.INTERNAL_SERVER_ERROR,
        'internal',
        'Something went wrong on our side; quote the request id when reporting it',
      )
    );
  }
}
