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
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.AuthController = void 0;
const openapi = require("@nestjs/swagger");
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const platform_1 = require("../../platform/src");
const authenticated_decorator_1 = require("./authenticated.decorator");
const auth_dto_1 = require("./dto/auth.dto");
const session_service_1 = require("./sessions/session.service");
let AuthController = class AuthController {
    sessions;
    constructor(sessions) {
        this.sessions = sessions;
    }
    /** Signs in with e-mail and password; returns an access token and a refresh token. */
    login(body) {
        return this.sessions.login(body.email, body.password);
    }
    /** Trades a refresh token for a new pair; the old refresh token stops working. */
    refresh(body) {
        return this.sessions.refresh(body.refreshToken);
    }
    /** Ends the current session: its refresh token and every access token issued from it stop working. */
    async logout(principal) {
        if (principal.sessionId)
            await this.sessions.logout(principal.sessionId);
    }
    /** Who the caller is and what it may do. */
    me(principal) {
        return {
            kind: principal.kind,
            userId: principal.userId,
            email: principal.email,
            superAdmin: principal.superAdmin,
            permissions: [...principal.permissions],
        };
    }
};
exports.AuthController = AuthController;
__decorate([
    openapi.ApiOperation({ summary: "Signs in with e-mail and password; returns an access token and a refresh token." }),
    (0, authenticated_decorator_1.Public)(),
    (0, common_1.Post)('login'),
    (0, common_1.HttpCode)(200),
    (0, platform_1.ApiErrorResponses)(400, 401, 429),
    openapi.ApiResponse({ status: 200, type: require("./dto/auth.dto").TokenPairDto }),
    __param(0, (0, common_1.Body)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [auth_dto_1.LoginRequestDto]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "login", null);
__decorate([
    openapi.ApiOperation({ summary: "Trades a refresh token for a new pair; the old refresh token stops working." }),
    (0, authenticated_decorator_1.Public)(),
    (0, common_1.Post)('refresh'),
    (0, common_1.HttpCode)(200),
    (0, platform_1.ApiErrorResponses)(400, 401),
    openapi.ApiResponse({ status: 200, type: require("./dto/auth.dto").TokenPairDto }),
    __param(0, (0, common_1.Body)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [auth_dto_1.RefreshRequestDto]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "refresh", null);
__decorate([
    openapi.ApiOperation({ summary: "Ends the current session: its refresh token and every access token issued from it stop working." }),
    (0, authenticated_decorator_1.Authenticated)(),
    (0, common_1.Post)('logout'),
    (0, common_1.HttpCode)(204),
    openapi.ApiResponse({ status: 204 }),
    __param(0, (0, authenticated_decorator_1.CurrentPrincipal)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "logout", null);
__decorate([
    openapi.ApiOperation({ summary: "Who the caller is and what it may do." }),
    (0, authenticated_decorator_1.Authenticated)(),
    (0, common_1.Get)('me'),
    openapi.ApiResponse({ status: 200, type: require("./dto/auth.dto").PrincipalDto }),
    __param(0, (0, authenticated_decorator_1.CurrentPrincipal)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", auth_dto_1.PrincipalDto)
], AuthController.prototype, "me", null);
exports.AuthController = AuthController = __decorate([
    (0, swagger_1.ApiTags)('auth'),
    (0, common_1.Controller)('auth'),
    __metadata("design:paramtypes", [session_service_1.SessionService])
], AuthController);
//# sourceMappingURL=auth.controller.js.map