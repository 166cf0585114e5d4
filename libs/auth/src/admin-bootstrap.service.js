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
var AdminBootstrapService_1;
Object.defineProperty(exports, "__esModule", { value: true });
exports.AdminBootstrapService = void 0;
const common_1 = require("@nestjs/common");
const config_1 = require("../../config/src");
const persistence_1 = require("../../persistence/src");
const password_hasher_1 = require("./password-hasher");
/** The first start creates the super admin from ADMIN_EMAIL / ADMIN_PASSWORD; later starts leave it be. */
let AdminBootstrapService = AdminBootstrapService_1 = class AdminBootstrapService {
    prisma;
    config;
    passwords;
    logger = new common_1.Logger(AdminBootstrapService_1.name);
    constructor(prisma, config, passwords) {
        this.prisma = prisma;
        this.config = config;
        this.passwords = passwords;
    }
    async onApplicationBootstrap() {
        const email = this.config.ADMIN_EMAIL.toLowerCase();
        if (await this.prisma.user.findUnique({ where: { email }, select: { id: true } }))
            return;
        const created = await this.prisma.user.createMany({
            data: [{ email, name: 'Administrator', passwordHash: await this.passwords.hash(this.config.ADMIN_PASSWORD), isSuperAdmin: true }],
            skipDuplicates: true, // another gateway instance may be starting at the same moment
        });
        if (created.count)
            this.logger.log({ email }, 'created the first administrator');
    }
};
exports.AdminBootstrapService = AdminBootstrapService;
exports.AdminBootstrapService = AdminBootstrapService = AdminBootstrapService_1 = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [persistence_1.PrismaService,
        config_1.FleetgateConfig,
        password_hasher_1.PasswordHasher])
], AdminBootstrapService);
//# sourceMappingURL=admin-bootstrap.service.js.map