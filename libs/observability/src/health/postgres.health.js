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
exports.PostgresHealthIndicator = void 0;
const common_1 = require("@nestjs/common");
const terminus_1 = require("@nestjs/terminus");
const persistence_1 = require("../../../persistence/src");
let PostgresHealthIndicator = class PostgresHealthIndicator {
    prisma;
    indicators;
    constructor(prisma, indicators) {
        this.prisma = prisma;
        this.indicators = indicators;
    }
    async check(key = 'postgres') {
        const indicator = this.indicators.check(key);
        try {
            await Promise.race([
                this.prisma.$queryRawUnsafe('SELECT 1'),
                new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2s')), 2000)),
            ]);
            return indicator.up();
        }
        catch (error) {
            return indicator.down({ message: error.message || 'unreachable' });
        }
    }
};
exports.PostgresHealthIndicator = PostgresHealthIndicator;
exports.PostgresHealthIndicator = PostgresHealthIndicator = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [persistence_1.PrismaService,
        terminus_1.HealthIndicatorService])
], PostgresHealthIndicator);
//# sourceMappingURL=postgres.health.js.map