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
exports.ErrorEnvelopeDto = exports.ErrorBodyDto = exports.VendorErrorDto = exports.FieldProblemDto = void 0;
const openapi = require("@nestjs/swagger");
const swagger_1 = require("@nestjs/swagger");
class FieldProblemDto {
    /** The field, as a dotted path into the request (`targets.0.deviceId`), or a header or query name. */
    field;
    /** What is wrong with it. */
    problem;
    static _OPENAPI_METADATA_FACTORY() {
        return { field: { required: true, type: () => String, description: "The field, as a dotted path into the request (`targets.0.deviceId`), or a header or query name." }, problem: { required: true, type: () => String, description: "What is wrong with it." } };
    }
}
exports.FieldProblemDto = FieldProblemDto;
class VendorErrorDto {
    /** Which vendor answered. */
    vendor;
    /** The vendor's own error code, as the vendor sent it. */
    code;
    /** The vendor's own message. */
    message;
    static _OPENAPI_METADATA_FACTORY() {
        return { vendor: { required: true, type: () => String, description: "Which vendor answered." }, code: { required: true, type: () => String, description: "The vendor's own error code, as the vendor sent it." }, message: { required: true, type: () => String, description: "The vendor's own message." } };
    }
}
exports.VendorErrorDto = VendorErrorDto;
class ErrorBodyDto {
    /** Stable, machine-readable error code (`validation_failed`, `not_found`, `conflict`, ...). */
    code;
    /** A sentence for people. */
    message;
    /** One entry per offending field, for validation errors. */
    details;
    /** The vendor's answer, when a vendor call failed. */
    vendor;
    /** Same as the X-Request-Id response header; quote it when reporting a problem. */
    requestId;
    static _OPENAPI_METADATA_FACTORY() {
        return { code: { required: true, type: () => String, description: "Stable, machine-readable error code (`validation_failed`, `not_found`, `conflict`, ...)." }, message: { required: true, type: () => String, description: "A sentence for people." }, details: { required: false, type: () => [require("./error-envelope.dto").FieldProblemDto], description: "One entry per offending field, for validation errors." }, vendor: { required: false, type: () => require("./error-envelope.dto").VendorErrorDto, description: "The vendor's answer, when a vendor call failed." }, requestId: { required: true, type: () => String, description: "Same as the X-Request-Id response header; quote it when reporting a problem." } };
    }
}
exports.ErrorBodyDto = ErrorBodyDto;
__decorate([
    (0, swagger_1.ApiProperty)({ example: 'validation_failed' }),
    __metadata("design:type", String)
], ErrorBodyDto.prototype, "code", void 0);
__decorate([
    (0, swagger_1.ApiPropertyOptional)({ type: [FieldProblemDto] }),
    __metadata("design:type", Array)
], ErrorBodyDto.prototype, "details", void 0);
__decorate([
    (0, swagger_1.ApiPropertyOptional)({ type: VendorErrorDto }),
    __metadata("design:type", VendorErrorDto)
], ErrorBodyDto.prototype, "vendor", void 0);
/** The one shape of every error Fleetgate returns. */
class ErrorEnvelopeDto {
    error;
    static _OPENAPI_METADATA_FACTORY() {
        return { error: { required: true, type: () => require("./error-envelope.dto").ErrorBodyDto } };
    }
}
exports.ErrorEnvelopeDto = ErrorEnvelopeDto;
//# sourceMappingURL=error-envelope.dto.js.map