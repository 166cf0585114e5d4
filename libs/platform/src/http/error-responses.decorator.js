"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ApiErrorResponses = ApiErrorResponses;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const error_envelope_dto_1 = require("../errors/error-envelope.dto");
const DESCRIPTIONS = {
    400: 'Invalid request; `details` names each field and its problem',
    401: 'No valid access token or API key',
    403: 'Authenticated, but without the permission this route needs',
    404: 'Not found',
    409: 'Conflicts with the current state',
    422: 'Understood but cannot be carried out',
    429: 'Too many requests',
    502: 'A vendor failed; `vendor` keeps its code and message',
    503: 'A dependency is unavailable',
};
/** Documents error answers of a route, all in the error envelope. */
function ApiErrorResponses(...statuses) {
    return (0, common_1.applyDecorators)(...statuses.map((status) => (0, swagger_1.ApiResponse)({ status, description: DESCRIPTIONS[status] ?? 'Error', type: error_envelope_dto_1.ErrorEnvelopeDto })));
}
//# sourceMappingURL=error-responses.decorator.js.map