"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.CurrentPrincipal = exports.AUTH_METADATA = void 0;
exports.Authenticated = Authenticated;
exports.Public = Public;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const platform_1 = require("../../platform/src");
exports.AUTH_METADATA = 'fleetgate:auth';
/**
 * Marks a route (or a whole controller) as needing a signed-in user or an API key, and the
 * permission it needs. Also writes the route's security entry and its 401/403 answers into OpenAPI.
 */
function Authenticated(options = {}) {
    const requirement = { public: false, permission: options.permission };
    return (0, common_1.applyDecorators)((0, common_1.SetMetadata)(exports.AUTH_METADATA, requirement), (0, swagger_1.ApiBearerAuth)(platform_1.BEARER_SCHEME), (0, swagger_1.ApiSecurity)(platform_1.API_KEY_SCHEME), options.permission ? (0, platform_1.ApiErrorResponses)(401, 403) : (0, platform_1.ApiErrorResponses)(401));
}
/** Open to anyone: health, login, docs and vendor webhooks (which verify callers their own way). */
function Public() {
    return (0, common_1.SetMetadata)(exports.AUTH_METADATA, { public: true });
}
/** The caller, as the global guard established it. */
exports.CurrentPrincipal = (0, common_1.createParamDecorator)((_data, context) => {
    return context.switchToHttp().getRequest().principal;
});
//# sourceMappingURL=authenticated.decorator.js.map