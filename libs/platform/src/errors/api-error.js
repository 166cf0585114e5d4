"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ApiError = void 0;
const common_1 = require("@nestjs/common");
/**
 * An error that already knows how it is shown to API clients. Services throw these; the global
 * filter turns them into the error envelope.
 */
class ApiError extends Error {
    status;
    code;
    details;
    vendor;
    headers;
    constructor(status, code, message, details, vendor, headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
        this.vendor = vendor;
        this.headers = headers;
        this.name = 'ApiError';
    }
    static notFound(what, id) {
        return new ApiError(common_1.HttpStatus.NOT_FOUND, 'not_found', id ? `${what} ${id} does not exist` : `${what} does not exist`);
    }
    static conflict(message, details) {
        return new ApiError(common_1.HttpStatus.CONFLICT, 'conflict', message, details);
    }
    static invalid(message, details) {
        return new ApiError(common_1.HttpStatus.BAD_REQUEST, 'validation_failed', message, details);
    }
    static unprocessable(message, details) {
        return new ApiError(common_1.HttpStatus.UNPROCESSABLE_ENTITY, 'unprocessable', message, details);
    }
    static unauthorized(message = 'Authentication is required') {
        return new ApiError(common_1.HttpStatus.UNAUTHORIZED, 'unauthorized', message);
    }
    static forbidden(message = 'You lack the permission this route needs') {
        return new ApiError(common_1.HttpStatus.FORBIDDEN, 'forbidden', message);
    }
}
exports.ApiError = ApiError;
//# sourceMappingURL=api-error.js.map