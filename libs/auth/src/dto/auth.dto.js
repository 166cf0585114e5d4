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
exports.PrincipalDto = exports.TokenPairDto = exports.RefreshRequestDto = exports.LoginRequestDto = void 0;
const openapi = require("@nestjs/swagger");
const class_validator_1 = require("class-validator");
class LoginRequestDto {
    /** @example admin@fleetgate.local */
    email;
    /** @example fleetgate-admin */
    password;
    static _OPENAPI_METADATA_FACTORY() {
        return { email: { required: true, type: () => String, example: "admin@fleetgate.local", format: "email" }, password: { required: true, type: () => String, example: "fleetgate-admin", minLength: 1, maxLength: 200 } };
    }
}
exports.LoginRequestDto = LoginRequestDto;
__decorate([
    (0, class_validator_1.IsEmail)(),
    __metadata("design:type", String)
], LoginRequestDto.prototype, "email", void 0);
__decorate([
    (0, class_validator_1.IsString)(),
    (0, class_validator_1.MinLength)(1),
    (0, class_validator_1.MaxLength)(200),
    __metadata("design:type", String)
], LoginRequestDto.prototype, "password", void 0);
class RefreshRequestDto {
    /** The refresh token from login or the last refresh; each refresh replaces it. */
    refreshToken;
    static _OPENAPI_METADATA_FACTORY() {
        return { refreshToken: { required: true, type: () => String, description: "The refresh token from login or the last refresh; each refresh replaces it.", minLength: 20, maxLength: 200 } };
    }
}
exports.RefreshRequestDto = RefreshRequestDto;
__decorate([
    (0, class_validator_1.IsString)(),
    (0, class_validator_1.MinLength)(20),
    (0, class_validator_1.MaxLength)(200),
    __metadata("design:type", String)
], RefreshRequestDto.prototype, "refreshToken", void 0);
class TokenPairDto {
    /** Short-lived JWT for `Authorization: Bearer ...`. */
    accessToken;
    /** Seconds until the access token expires. */
    expiresIn;
    /** Opaque token for POST /auth/refresh; shown once, stored only as a hash. */
    refreshToken;
    tokenType;
    static _OPENAPI_METADATA_FACTORY() {
        return { accessToken: { required: true, type: () => String, description: "Short-lived JWT for `Authorization: Bearer ...`." }, expiresIn: { required: true, type: () => Number, description: "Seconds until the access token expires." }, refreshToken: { required: true, type: () => String, description: "Opaque token for POST /auth/refresh; shown once, stored only as a hash." }, tokenType: { required: true, enum: ["Bearer"] } };
    }
}
exports.TokenPairDto = TokenPairDto;
class PrincipalDto {
    kind;
    userId;
    email;
    superAdmin;
    permissions;
    static _OPENAPI_METADATA_FACTORY() {
        return { kind: { required: true, enum: ["user", "api-key"] }, userId: { required: true, type: () => String }, email: { required: true, type: () => String }, superAdmin: { required: true, type: () => Boolean }, permissions: { required: true, type: () => [String] } };
    }
}
exports.PrincipalDto = PrincipalDto;
//# sourceMappingURL=auth.dto.js.map