"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.AuthModule = void 0;
const common_1 = require("@nestjs/common");
const core_1 = require("@nestjs/core");
const jwt_1 = require("@nestjs/jwt");
const config_1 = require("../../config/src");
const admin_bootstrap_service_1 = require("./admin-bootstrap.service");
const api_key_service_1 = require("./api-keys/api-key.service");
const api_keys_controller_1 = require("./api-keys/api-keys.controller");
const auth_controller_1 = require("./auth.controller");
const authentication_guard_1 = require("./authentication.guard");
const password_hasher_1 = require("./password-hasher");
const session_service_1 = require("./sessions/session.service");
const user_permission_source_1 = require("./user-permission-source");
let AuthModule = class AuthModule {
};
exports.AuthModule = AuthModule;
exports.AuthModule = AuthModule = __decorate([
    (0, common_1.Module)({
        imports: [
            jwt_1.JwtModule.registerAsync({
                inject: [config_1.FleetgateConfig],
                useFactory: (config) => ({ secret: config.JWT_SECRET, signOptions: { algorithm: 'HS256' } }),
            }),
        ],
        controllers: [auth_controller_1.AuthController, api_keys_controller_1.ApiKeysController],
        providers: [
            password_hasher_1.PasswordHasher,
            session_service_1.SessionService,
            api_key_service_1.ApiKeyService,
            user_permission_source_1.UserPermissionSource,
            admin_bootstrap_service_1.AdminBootstrapService,
            { provide: core_1.APP_GUARD, useClass: authentication_guard_1.AuthenticationGuard },
        ],
        exports: [password_hasher_1.PasswordHasher, session_service_1.SessionService, user_permission_source_1.UserPermissionSource],
    })
], AuthModule);
//# sourceMappingURL=auth.module.js.map