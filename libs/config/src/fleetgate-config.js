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
exports.ConfigurationError = exports.FleetgateConfig = void 0;
exports.loadConfig = loadConfig;
const class_transformer_1 = require("class-transformer");
const class_validator_1 = require("class-validator");
const toBoolean = ({ value }) => typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toNumber = ({ value }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);
// Demo values that work on a developer's machine. Production refuses to start with them (see below).
const DEMO_JWT_SECRET = 'fleetgate-demo-jwt-secret-change-me-please';
const DEMO_SECRETS_KEY = 'ZmxlZXRnYXRlLWRlbW8tc2VjcmV0cy1rZXktMzJieXQ='; // 32 bytes, base64
/**
 * Fleetgate's whole configuration, read once from environment variables. Each property is the
 * variable of the same name; the README's configuration table lists them all.
 */
class FleetgateConfig {
    NODE_ENV = 'development';
    GATEWAY_PORT = 3000;
    GATEWAY_HOST = '0.0.0.0';
    DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/fleetgate';
    REDIS_URL = 'redis://127.0.0.1:6379';
    /** Prefix of every Redis key Fleetgate writes (queues, rate limits), so several installs can share a Redis. */
    REDIS_PREFIX = 'fleetgate';
    MIGRATE_ON_START = true;
    JWT_SECRET = DEMO_JWT_SECRET;
    JWT_ACCESS_TTL_SECONDS = 900;
    REFRESH_TOKEN_TTL_DAYS = 14;
    ADMIN_EMAIL = 'admin@fleetgate.local';
    ADMIN_PASSWORD = 'fleetgate-admin';
    /** AES-256-GCM key (base64 of 32 bytes) that encrypts vendor credentials and other secrets at rest. */
    SECRETS_KEY = DEMO_SECRETS_KEY;
    LOG_LEVEL = 'info';
    get isProduction() {
        return this.NODE_ENV === 'production';
    }
}
exports.FleetgateConfig = FleetgateConfig;
__decorate([
    (0, class_validator_1.IsIn)(['development', 'test', 'production']),
    __metadata("design:type", String)
], FleetgateConfig.prototype, "NODE_ENV", void 0);
__decorate([
    (0, class_transformer_1.Transform)(toNumber),
    (0, class_validator_1.IsInt)(),
    (0, class_validator_1.Min)(0),
    (0, class_validator_1.Max)(65535),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "GATEWAY_PORT", void 0);
__decorate([
    (0, class_validator_1.IsString)(),
    (0, class_validator_1.IsNotEmpty)(),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "GATEWAY_HOST", void 0);
__decorate([
    (0, class_validator_1.Matches)(/^postgres(ql)?:\/\/.+\/[^/?]+/, { message: 'must be a postgresql:// URL that names a database' }),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "DATABASE_URL", void 0);
__decorate([
    (0, class_validator_1.Matches)(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' }),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "REDIS_URL", void 0);
__decorate([
    (0, class_validator_1.Matches)(/^[a-z0-9_-]+$/i, { message: 'may hold letters, digits, _ and - only' }),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "REDIS_PREFIX", void 0);
__decorate([
    (0, class_transformer_1.Transform)(toBoolean),
    (0, class_validator_1.IsBoolean)(),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "MIGRATE_ON_START", void 0);
__decorate([
    (0, class_validator_1.IsString)(),
    (0, class_validator_1.MinLength)(32, { message: 'must be at least 32 characters' }),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "JWT_SECRET", void 0);
__decorate([
    (0, class_transformer_1.Transform)(toNumber),
    (0, class_validator_1.IsInt)(),
    (0, class_validator_1.Min)(30),
    (0, class_validator_1.Max)(86_400),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "JWT_ACCESS_TTL_SECONDS", void 0);
__decorate([
    (0, class_transformer_1.Transform)(toNumber),
    (0, class_validator_1.IsInt)(),
    (0, class_validator_1.Min)(1),
    (0, class_validator_1.Max)(365),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "REFRESH_TOKEN_TTL_DAYS", void 0);
__decorate([
    (0, class_validator_1.Matches)(/^[^@\s]+@[^@\s]+$/, { message: 'must be an e-mail address' }),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "ADMIN_EMAIL", void 0);
__decorate([
    (0, class_validator_1.IsString)(),
    (0, class_validator_1.MinLength)(10, { message: 'must be at least 10 characters' }),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "ADMIN_PASSWORD", void 0);
__decorate([
    (0, class_validator_1.Matches)(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 bytes in base64 (44 characters)' }),
    __metadata("design:type", Object)
], FleetgateConfig.prototype, "SECRETS_KEY", void 0);
__decorate([
    (0, class_validator_1.IsIn)(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    __metadata("design:type", String)
], FleetgateConfig.prototype, "LOG_LEVEL", void 0);
class ConfigurationError extends Error {
}
exports.ConfigurationError = ConfigurationError;
function describe(errors) {
    // One problem per variable is enough to fix it; class-validator's own messages already start with the name.
    return errors.map((error) => {
        const problem = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
        return problem.startsWith(`${error.property} `) ? problem : `${error.property} ${problem}`;
    });
}
/**
 * Reads and validates the configuration. Throws a ConfigurationError whose message is one line
 * naming every bad variable, which the apps print before exiting.
 */
function loadConfig(env = process.env) {
    const known = Object.keys(new FleetgateConfig());
    const raw = Object.fromEntries(known.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]));
    const config = (0, class_transformer_1.plainToInstance)(FleetgateConfig, raw, { exposeDefaultValues: true });
    const problems = describe((0, class_validator_1.validateSync)(config, { whitelist: false }));
    if (config.isProduction) {
        if (config.JWT_SECRET === DEMO_JWT_SECRET)
            problems.push('JWT_SECRET must be set in production (the demo value is public)');
        if (config.SECRETS_KEY === DEMO_SECRETS_KEY)
            problems.push('SECRETS_KEY must be set in production (the demo value is public)');
    }
    if (problems.length)
        throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
    return config;
}
//# sourceMappingURL=fleetgate-config.js.map