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
exports.CreatedApiKeyDto = exports.ApiKeyDto = exports.CreateApiKeyDto = void 0;
const openapi = require("@nestjs/swagger");
const class_validator_1 = require("class-validator");
const permissions_1 = require("../permissions");
class CreateApiKeyDto {
    /** What the key is for. @example ci-deployer */
    name;
    /** Permissions the key holds; at most those of the user who creates it. */
    permissions;
    static _OPENAPI_METADATA_FACTORY() {
        return { name: { required: true, type: () => String, description: "What the key is for.", example: "ci-deployer", minLength: 1, maxLength: 100 }, permissions: { required: true, type: () => [String], description: "Permissions the key holds; at most those of the user who creates it.", enum: permissions_1.ALL_PERMISSIONS, isArray: true, uniqueItems: true } };
    }
}
exports.CreateApiKeyDto = CreateApiKeyDto;
__decorate([
    (0, class_validator_1.IsString)(),
    (0, class_validator_1.MinLength)(1),
    (0, class_validator_1.MaxLength)(100),
    __metadata("design:type", String)
], CreateApiKeyDto.prototype, "name", void 0);
__decorate([
    (0, class_validator_1.IsArray)(),
    (0, class_validator_1.ArrayUnique)(),
    (0, class_validator_1.IsIn)(permissions_1.ALL_PERMISSIONS, { each: true }),
    __metadata("design:type", Array)
], CreateApiKeyDto.prototype, "permissions", void 0);
class ApiKeyDto {
    id;
    name;
    /** The non-secret start of the key, to recognise it. */
    prefix;
    permissions;
    createdAt;
    lastUsedAt;
    revokedAt;
    static _OPENAPI_METADATA_FACTORY() {
        return { id: { required: true, type: () => String }, name: { required: true, type: () => String }, prefix: { required: true, type: () => String, description: "The non-secret start of the key, to recognise it." }, permissions: { required: true, type: () => [String] }, createdAt: { required: true, type: () => Date }, lastUsedAt: { required: false, type: () => Date, nullable: true }, revokedAt: { required: false, type: () => Date, nullable: true } };
    }
}
exports.ApiKeyDto = ApiKeyDto;
class CreatedApiKeyDto extends ApiKeyDto {
    /** The key itself, for the `X-API-Key` header. Shown this once; only its hash is kept. */
    key;
    static _OPENAPI_METADATA_FACTORY() {
        return { key: { required: true, type: () => String, description: "The key itself, for the `X-API-Key` header. Shown this once; only its hash is kept." } };
    }
}
exports.CreatedApiKeyDto = CreatedApiKeyDto;
//# sourceMappingURL=api-key.dto.js.map