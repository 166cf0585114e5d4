"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.ObservabilityModule = void 0;
const common_1 = require("@nestjs/common");
const terminus_1 = require("@nestjs/terminus");
const health_controller_1 = require("./health/health.controller");
const postgres_health_1 = require("./health/postgres.health");
const redis_health_1 = require("./health/redis.health");
const metrics_controller_1 = require("./metrics/metrics.controller");
const metrics_registry_1 = require("./metrics/metrics.registry");
let ObservabilityModule = class ObservabilityModule {
};
exports.ObservabilityModule = ObservabilityModule;
exports.ObservabilityModule = ObservabilityModule = __decorate([
    (0, common_1.Global)(),
    (0, common_1.Module)({
        imports: [terminus_1.TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
        controllers: [health_controller_1.HealthController, metrics_controller_1.MetricsController],
        providers: [metrics_registry_1.MetricsRegistry, postgres_health_1.PostgresHealthIndicator, redis_health_1.RedisHealthIndicator],
        exports: [metrics_registry_1.MetricsRegistry],
    })
], ObservabilityModule);
//# sourceMappingURL=observability.module.js.map