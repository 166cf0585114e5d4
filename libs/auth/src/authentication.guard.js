"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.AuthenticationGuard = void 0;
const common_1 = require("@nestjs/common");
const core_1 = require("@nestjs/core");
const platform_1 = require("../../platform/src");
const api_key_service_1 = require("./api-keys/api-key.service");
const authenticated_decorator_1 = require("./authenticated.decorator");
const principal_1 = require("./principal");
const session_service_1 = require("./sessions/session.service");
/**
 * The global guard. A route is open only when marked @Public(); every other route needs a valid
 * access token (Authorization: Bearer) or API key (X-API-Key), and the permission it names.
 */
let AuthenticationGuard = class AuthenticationGuard {
    reflector;
    sessions;
    apiKeys;
    constructor(reflector, sessions, apiKeys) {
        this.reflector = reflector;
        this.sessions = sessions;
        this.apiKeys = apiKeys;
    }
    async canActivate(context) {
        const requirement = this.reflector.getAllAndOverride(authenticated_decorator_1.AUTH_METADATA, [
            context.getHandler(),
            context.getClass(),
        ]);
        if (requirement?.public)
            return true;
        const request = context.switchToHttp().getRequest();
        const principal = await this.identify(request);
        if (!principal)
            throw platform_1.ApiError.unauthorized();
        request.principal = principal;
        if (requirement?.permission && !(0, principal_1.holds)(principal, requirement.permission)) {
            throw platform_1.ApiError.forbidden(`This route needs the permission ${requirement.permission}`);
        }
        return true;
    }
    async identify(request) {
        const authorization = request.headers.authorization;
        if (authorization) {
            const [scheme, token] = authorization.split(' ');
            return scheme?.toLowerCase() === 'bearer' && token ? this.sessions.authenticate(token) : undefined;
        }
        const apiKey = request.headers['x-api-key'];
        return typeof apiKey === 'string' ? this.apiKeys.authenticate(apiKey) : undefined;
    }
};
exports.AuthenticationGuard = AuthenticationGuard;
exports.AuthenticationGuard = AuthenticationGuard = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [core_1.Reflector,
        session_service_1.SessionService,
        api_key_service_1.ApiKeyService])
], AuthenticationGuard);
//# sourceMappingURL=authentication.guard.js.map