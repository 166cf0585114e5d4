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
exports.SessionService = void 0;
const common_1 = require("@nestjs/common");
const jwt_1 = require("@nestjs/jwt");
const config_1 = require("../../../config/src");
const persistence_1 = require("../../../persistence/src");
const platform_1 = require("../../../platform/src");
const password_hasher_1 = require("../password-hasher");
const token_hash_1 = require("../token-hash");
const user_permission_source_1 = require("../user-permission-source");
/**
 * Sign-in sessions. A session is a refresh-token row; access tokens name their session (`sid`), so
 * logging out, disabling a user or forcing them offline revokes access tokens at once too.
 */
let SessionService = class SessionService {
    prisma;
    jwt;
    config;
    passwords;
    permissionSource;
    constructor(prisma, jwt, config, passwords, permissionSource) {
        this.prisma = prisma;
        this.jwt = jwt;
        this.config = config;
        this.passwords = passwords;
        this.permissionSource = permissionSource;
    }
    async login(email, password) {
        const user = await this.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
        // Verify even when the user is unknown, so the answer takes as long either way.
        const valid = await this.passwords.verify(user?.passwordHash ?? (await this.passwords.decoyHash()), password);
        if (!user || !valid || !user.enabled)
            throw platform_1.ApiError.unauthorized('E-mail or password is wrong');
        const refreshToken = (0, token_hash_1.randomToken)();
        const session = await this.prisma.refreshToken.create({
            data: { userId: user.id, tokenHash: (0, token_hash_1.sha256)(refreshToken), expiresAt: this.refreshExpiry() },
        });
        return this.tokenPair(user.id, session.id, user.tokenVersion, refreshToken);
    }
    /** Rotates the refresh token: the old one stops working, the session goes on. */
    async refresh(refreshToken) {
        const session = await this.prisma.refreshToken.findUnique({
            where: { tokenHash: (0, token_hash_1.sha256)(refreshToken) },
            include: { user: true },
        });
        if (!session || session.revokedAt || session.expiresAt <= new Date() || !session.user.enabled) {
            throw platform_1.ApiError.unauthorized('The refresh token is not valid');
        }
        const next = (0, token_hash_1.randomToken)();
        const rotated = await this.prisma.refreshToken.updateMany({
            where: { id: session.id, tokenHash: session.tokenHash, revokedAt: null },
            data: { tokenHash: (0, token_hash_1.sha256)(next), expiresAt: this.refreshExpiry() },
        });
        // Two refreshes raced with the same token: only the first wins.
        if (rotated.count !== 1)
            throw platform_1.ApiError.unauthorized('The refresh token is not valid');
        return this.tokenPair(session.userId, session.id, session.user.tokenVersion, next);
    }
    async logout(sessionId) {
        await this.prisma.refreshToken.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
    }
    /** Verifies an access token and that its session and user are still good. */
    async authenticate(accessToken) {
        let claims;
        try {
            claims = await this.jwt.verifyAsync(accessToken, { algorithms: ['HS256'] });
        }
        catch {
            return undefined;
        }
        const session = await this.prisma.refreshToken.findUnique({ where: { id: claims.sid }, include: { user: true } });
        if (!session || session.revokedAt || session.userId !== claims.sub)
            return undefined;
        const { user } = session;
        if (!user.enabled || user.tokenVersion !== claims.tv)
            return undefined;
        return {
            kind: 'user',
            userId: user.id,
            email: user.email,
            sessionId: session.id,
            superAdmin: user.isSuperAdmin,
            permissions: user.isSuperAdmin ? new Set() : await this.permissionSource.permissionsOf(user.id),
        };
    }
    async tokenPair(userId, sessionId, tokenVersion, refreshToken) {
        const claims = { sub: userId, sid: sessionId, tv: tokenVersion };
        const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.JWT_ACCESS_TTL_SECONDS });
        return { accessToken, expiresIn: this.config.JWT_ACCESS_TTL_SECONDS, refreshToken, tokenType: 'Bearer' };
    }
    refreshExpiry() {
        return new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    }
};
exports.SessionService = SessionService;
exports.SessionService = SessionService = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [persistence_1.PrismaService,
        jwt_1.JwtService,
        config_1.FleetgateConfig,
        password_hasher_1.PasswordHasher,
        user_permission_source_1.UserPermissionSource])
], SessionService);
//# sourceMappingURL=session.service.js.map