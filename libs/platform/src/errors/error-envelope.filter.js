"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var ErrorEnvelopeFilter_1;
Object.defineProperty(exports, "__esModule", { value: true });
exports.ErrorEnvelopeFilter = void 0;
const common_1 = require("@nestjs/common");
const api_error_1 = require("./api-error");
const CODE_BY_STATUS = {
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
function isPrismaKnownError(error) {
    return (typeof error === 'object' &&
        error !== null &&
        error.name === 'PrismaClientKnownRequestError' &&
        typeof error.code === 'string');
}
/** Prisma's error codes that are the client's fault, not ours. */
function fromPrisma(error) {
    const target = error.meta?.target;
    const fields = (Array.isArray(target) ? target : target ? [target] : []).map((field) => ({
        field,
        problem: 'is already taken',
    }));
    switch (error.code) {
        case 'P2002':
            return api_error_1.ApiError.conflict(fields.length ? `A record with this ${fields.map((f) => f.field).join(', ')} already exists` : 'The record already exists', fields);
        case 'P2025':
        case 'P2001':
            return api_error_1.ApiError.notFound(error.meta?.modelName ?? 'The record');
        case 'P2003':
            return api_error_1.ApiError.conflict('The record is referenced by, or refers to, a record that does not allow this change', [
                { field: error.meta?.field_name ?? 'reference', problem: 'violates a reference' },
            ]);
        case 'P2000':
            return api_error_1.ApiError.invalid('A value is too long for its field');
        default:
            return undefined;
    }
}
/** Errors raised by Fastify itself (bad JSON, wrong content type, body too large) carry a 4xx statusCode. */
function fromFastify(error) {
    const candidate = error;
    if (typeof candidate?.statusCode !== 'number' || typeof candidate.code !== 'string' || !candidate.code.startsWith('FST_')) {
        return undefined;
    }
    const status = candidate.statusCode;
    if (status < 400 || status >= 500)
        return undefined;
    const details = candidate.code.startsWith('FST_ERR_CTP')
        ? [{ field: 'body', problem: String(candidate.message) }]
        : undefined;
    return new api_error_1.ApiError(status, CODE_BY_STATUS[status] ?? 'bad_request', String(candidate.message), details);
}
function fromHttpException(exception) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const rawMessage = typeof response === 'string' ? response : response.message;
    const message = Array.isArray(rawMessage) ? rawMessage.join('; ') : (rawMessage ?? exception.message);
    const details = typeof response === 'object' ? response.details : undefined;
    return new api_error_1.ApiError(status, CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad_request'), message, details);
}
/**
 * The one place where anything thrown becomes the error envelope:
 * `{ error: { code, message, details?, vendor?, requestId } }`.
 */
let ErrorEnvelopeFilter = ErrorEnvelopeFilter_1 = class ErrorEnvelopeFilter {
    logger = new common_1.Logger('ErrorEnvelope');
    catch(exception, host) {
        const http = host.switchToHttp();
        const request = http.getRequest();
        const reply = http.getResponse();
        const error = this.toApiError(exception);
        if (error.status >= 500) {
            this.logger.error({ err: exception, requestId: request.id }, 'request failed');
        }
        for (const [name, value] of Object.entries(error.headers ?? {}))
            reply.header(name, value);
        void reply.status(error.status).send(ErrorEnvelopeFilter_1.envelope(error, String(request.id)));
    }
    static envelope(error, requestId) {
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
    toApiError(exception) {
        if (exception instanceof api_error_1.ApiError)
            return exception;
        if (exception instanceof common_1.HttpException)
            return fromHttpException(exception);
        if (isPrismaKnownError(exception)) {
            const mapped = fromPrisma(exception);
            if (mapped)
                return mapped;
        }
        return (fromFastify(exception) ??
            new api_error_1.ApiError(common_1.HttpStatus.INTERNAL_SERVER_ERROR, 'internal', 'Something went wrong on our side; quote the request id when reporting it'));
    }
};
exports.ErrorEnvelopeFilter = ErrorEnvelopeFilter;
exports.ErrorEnvelopeFilter = ErrorEnvelopeFilter = ErrorEnvelopeFilter_1 = __decorate([
    (0, common_1.Catch)()
], ErrorEnvelopeFilter);
//# sourceMappingURL=error-envelope.filter.js.map