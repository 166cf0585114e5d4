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
exports.HealthController = void 0;
const openapi = require("@nestjs/swagger");
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const terminus_1 = require("@nestjs/terminus");
const auth_1 = require("../../../auth/src");
const postgres_health_1 = require("./postgres.health");
const readiness_contributor_1 = require("./readiness-contributor");
const redis_health_1 = require("./redis.health");
let HealthController = class HealthController {
    health;
    postgres;
    redis;
    contributors;
    constructor(health, postgres, redis, contributors = []) {
        this.health = health;
        this.postgres = postgres;
        this.redis = redis;
        this.contributors = contributors;
    }
    /** The process is up. */
    live() {
        return this.health.check([]);
    }
    /** PostgreSQL and Redis answer (503 with details when one does not). */
    ready() {
        return this.health.check([
            () => this.postgres.check(),
            () => this.redis.check(),
            ...this.contributors.map((contributor) => () => contributor.checkReadiness()),
        ]);
    }
};
exports.HealthController = HealthController;
__decorate([
    openapi.ApiOperation({ summary: "The process is up." }),
    (0, auth_1.Public)(),
    (0, common_1.Get)('live'),
    (0, terminus_1.HealthCheck)(),
    openapi.ApiResponse({ status: 200, type: Object }),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", []),
    __metadata("design:returntype", void 0)
], HealthController.prototype, "live", null);
__decorate([
    openapi.ApiOperation({ summary: "PostgreSQL and Redis answer (503 with details when one does not)." }),
    (0, auth_1.Public)(),
    (0, common_1.Get)('ready'),
    (0, terminus_1.HealthCheck)(),
    openapi.ApiResponse({ status: 200, type: Object }),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", []),
    __metadata("design:returntype", void 0)
], HealthController.prototype, "ready", null);
exports.HealthController = HealthController = __decorate([
    (0, swagger_1.ApiTags)('ops'),
    (0, common_1.Controller)('health'),
    __param(3, (0, common_1.Optional)()),
    __param(3, (0, common_1.Inject)(readiness_contributor_1.READINESS_CONTRIBUTORS)),
    __metadata("design:paramtypes", [terminus_1.HealthCheckService,
        postgres_health_1.PostgresHealthIndicator,
        redis_health_1.RedisHealthIndicator, Array])
], HealthController);
//# sourceMappingURL=health.controller.js.map