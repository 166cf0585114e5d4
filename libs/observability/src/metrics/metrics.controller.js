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
exports.MetricsController = void 0;
const openapi = require("@nestjs/swagger");
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const auth_1 = require("../../../auth/src");
const metrics_registry_1 = require("./metrics.registry");
let MetricsController = class MetricsController {
    metrics;
    constructor(metrics) {
        this.metrics = metrics;
    }
    /** Prometheus text format. Scrape it with an API key that holds metrics:read. */
    render() {
        return this.metrics.render();
    }
};
exports.MetricsController = MetricsController;
__decorate([
    openapi.ApiOperation({ summary: "Prometheus text format. Scrape it with an API key that holds metrics:read." }),
    (0, common_1.Get)(),
    (0, auth_1.Authenticated)({ permission: auth_1.Permission.MetricsRead }),
    (0, common_1.Header)('content-type', 'text/plain; version=0.0.4; charset=utf-8'),
    (0, swagger_1.ApiProduces)('text/plain'),
    (0, swagger_1.ApiOkResponse)({ schema: { type: 'string' } }),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", []),
    __metadata("design:returntype", Promise)
], MetricsController.prototype, "render", null);
exports.MetricsController = MetricsController = __decorate([
    (0, swagger_1.ApiTags)('ops'),
    (0, common_1.Controller)('metrics'),
    __metadata("design:paramtypes", [metrics_registry_1.MetricsRegistry])
], MetricsController);
//# sourceMappingURL=metrics.controller.js.map