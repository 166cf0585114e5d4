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
exports.ApiKeysController = void 0;
const openapi = require("@nestjs/swagger");
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const platform_1 = require("../../../platform/src");
const authenticated_decorator_1 = require("../authenticated.decorator");
const api_key_dto_1 = require("../dto/api-key.dto");
const permissions_1 = require("../permissions");
const api_key_service_1 = require("./api-key.service");
let ApiKeysController = class ApiKeysController {
    apiKeys;
    constructor(apiKeys) {
        this.apiKeys = apiKeys;
    }
    /** Creates a key for a machine client. The key is in this answer only. */
    create(principal, body) {
        return this.apiKeys.create(principal, body.name, body.permissions);
    }
    /** Your keys, newest first (never the keys themselves). */
    list(principal) {
        return this.apiKeys.list(principal);
    }
    /** Revokes a key at once. */
    revoke(principal, id) {
        return this.apiKeys.revoke(principal, id);
    }
};
exports.ApiKeysController = ApiKeysController;
__decorate([
    openapi.ApiOperation({ summary: "Creates a key for a machine client. The key is in this answer only." }),
    (0, common_1.Post)(),
    (0, platform_1.ApiErrorResponses)(400),
    openapi.ApiResponse({ status: 201, type: require("../dto/api-key.dto").CreatedApiKeyDto }),
    __param(0, (0, authenticated_decorator_1.CurrentPrincipal)()),
    __param(1, (0, common_1.Body)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, api_key_dto_1.CreateApiKeyDto]),
    __metadata("design:returntype", Promise)
], ApiKeysController.prototype, "create", null);
__decorate([
    openapi.ApiOperation({ summary: "Your keys, newest first (never the keys themselves)." }),
    (0, common_1.Get)(),
    openapi.ApiResponse({ status: 200, type: [require("../dto/api-key.dto").ApiKeyDto] }),
    __param(0, (0, authenticated_decorator_1.CurrentPrincipal)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Promise)
], ApiKeysController.prototype, "list", null);
__decorate([
    openapi.ApiOperation({ summary: "Revokes a key at once." }),
    (0, common_1.Delete)(':id'),
    (0, common_1.HttpCode)(204),
    (0, platform_1.ApiErrorResponses)(404),
    openapi.ApiResponse({ status: 204 }),
    __param(0, (0, authenticated_decorator_1.CurrentPrincipal)()),
    __param(1, (0, common_1.Param)('id', new common_1.ParseUUIDPipe())),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String]),
    __metadata("design:returntype", Promise)
], ApiKeysController.prototype, "revoke", null);
exports.ApiKeysController = ApiKeysController = __decorate([
    (0, swagger_1.ApiTags)('api-keys'),
    (0, common_1.Controller)('api-keys'),
    (0, authenticated_decorator_1.Authenticated)({ permission: permissions_1.Permission.ApiKeysManage }),
    __metadata("design:paramtypes", [api_key_service_1.ApiKeyService])
], ApiKeysController);
//# sourceMappingURL=api-keys.controller.js.map