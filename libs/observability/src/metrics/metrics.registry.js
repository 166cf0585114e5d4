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
exports.MetricsRegistry = void 0;
const common_1 = require("@nestjs/common");
const prom_client_1 = require("prom-client");
/**
 * The process's Prometheus registry (prom-client) and the metrics every app shares. Capabilities
 * add their own metrics to `registry` (queue depths, vendor call latency).
 */
let MetricsRegistry = class MetricsRegistry {
    registry = new prom_client_1.Registry();
    httpRequestDuration = new prom_client_1.Histogram({
        name: 'fleetgate_http_request_duration_seconds',
        help: 'HTTP requests by route template, method and status',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [this.registry],
    });
    constructor() {
        (0, prom_client_1.collectDefaultMetrics)({ register: this.registry, prefix: 'fleetgate_' });
    }
    async render() {
        return this.registry.metrics();
    }
};
exports.MetricsRegistry = MetricsRegistry;
exports.MetricsRegistry = MetricsRegistry = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [])
], MetricsRegistry);
//# sourceMappingURL=metrics.registry.js.map