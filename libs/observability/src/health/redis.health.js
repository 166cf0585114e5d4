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
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.RedisHealthIndicator = void 0;
const common_1 = require("@nestjs/common");
const terminus_1 = require("@nestjs/terminus");
const ioredis_1 = __importDefault(require("ioredis"));
const config_1 = require("../../../config/src");
/** PING on a connection of its own that fails fast instead of queueing commands while Redis is away. */
let RedisHealthIndicator = class RedisHealthIndicator {
    indicators;
    redis;
    constructor(config, indicators) {
        this.indicators = indicators;
        this.redis = new ioredis_1.default(config.REDIS_URL, {
            lazyConnect: true,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            connectTimeout: 1000,
            retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        });
        this.redis.on('error', () => undefined); // reported through the check, not as an unhandled event
    }
    async check(key = 'redis') {
        const indicator = this.indicators.check(key);
        try {
            if (this.redis.status === 'wait')
                await this.redis.connect();
            const answer = await Promise.race([
                this.redis.ping(),
                new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 1s')), 1000)),
            ]);
            return answer === 'PONG' ? indicator.up() : indicator.down({ message: `unexpected answer ${answer}` });
        }
        catch (error) {
            return indicator.down({ message: error.message || 'unreachable' });
        }
    }
    onModuleDestroy() {
        this.redis.disconnect();
    }
};
exports.RedisHealthIndicator = RedisHealthIndicator;
exports.RedisHealthIndicator = RedisHealthIndicator = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [config_1.FleetgateConfig,
        terminus_1.HealthIndicatorService])
], RedisHealthIndicator);
//# sourceMappingURL=redis.health.js.map