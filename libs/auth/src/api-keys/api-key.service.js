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
exports.ApiKeyService = void 0;
const common_1 = require("@nestjs/common");
const persistence_1 = require("../../../persistence/src");
const platform_1 = require("../../../platform/src");
const principal_1 = require("../principal");
const token_hash_1 = require("../token-hash");
const KEY_PATTERN = /^fgk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
function toDto(row) {
    return {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        permissions: row.permissions,
        createdAt: row.createdAt,
        lastUsedAt: row.lastUsedAt,
        revokedAt: row.revokedAt,
    };
}
/** API keys for machine clients: `fgk_<prefix>_<secret>`, the prefix finds the row, the secret is hashed. */
let ApiKeyService = class ApiKeyService {
    prisma;
    constructor(prisma) {
        this.prisma = prisma;
    }
    async create(owner, name, permissions) {
        const beyond = permissions.filter((permission) => !(0, principal_1.holds)(owner, permission));
        if (beyond.length) {
            throw new platform_1.ApiError(403, 'forbidden', 'A key cannot hold permissions its creator lacks', [
                { field: 'permissions', problem: `you do not hold ${beyond.join(', ')}` },
            ]);
        }
        const prefix = (0, token_hash_1.randomToken)(12).replace(/[^A-Za-z0-9]/g, '').slice(0, 12).padEnd(12, '0');
        const secret = (0, token_hash_1.randomToken)(32);
        const row = await this.prisma.apiKey.create({
            data: { name, prefix, keyHash: (0, token_hash_1.sha256)(secret), ownerId: owner.userId, permissions },
        });
        return { ...toDto(row), key: `fgk_${prefix}_${secret}` };
    }
    async list(owner) {
        const rows = await this.prisma.apiKey.findMany({ where: { ownerId: owner.userId }, orderBy: { createdAt: 'desc' } });
        return rows.map(toDto);
    }
    async revoke(owner, id) {
        const result = await this.prisma.apiKey.updateMany({
            where: { id, ownerId: owner.userId, revokedAt: null },
            data: { revokedAt: new Date() },
        });
        if (result.count === 0)
            throw platform_1.ApiError.notFound('API key', id);
    }
    async authenticate(key) {
        const match = KEY_PATTERN.exec(key);
        if (!match)
            return undefined;
        const row = await this.prisma.apiKey.findUnique({ where: { prefix: match[1] }, include: { owner: true } });
        if (!row || row.revokedAt || !row.owner.enabled || !(0, token_hash_1.sameHash)(row.keyHash, (0, token_hash_1.sha256)(match[2])))
            return undefined;
        // Usage stamps need not be exact; one write a minute per key is plenty.
        if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
            void this.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
        }
        return {
            kind: 'api-key',
            userId: row.ownerId,
            email: row.owner.email,
            apiKeyId: row.id,
            superAdmin: false,
            permissions: new Set(row.permissions),
        };
    }
};
exports.ApiKeyService = ApiKeyService;
exports.ApiKeyService = ApiKeyService = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [persistence_1.PrismaService])
], ApiKeyService);
//# sourceMappingURL=api-key.service.js.map