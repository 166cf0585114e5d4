"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const fleetgate_config_1 = require("./fleetgate-config");
describe('loadConfig', () => {
    it('has defaults that work on this machine', () => {
        const config = (0, fleetgate_config_1.loadConfig)({});
        expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/fleetgate');
        expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
        expect(config.GATEWAY_PORT).toBe(3000);
        expect(config.MIGRATE_ON_START).toBe(true);
    });
    it('converts types from strings', () => {
        const config = (0, fleetgate_config_1.loadConfig)({ GATEWAY_PORT: '8080', MIGRATE_ON_START: 'false' });
        expect(config.GATEWAY_PORT).toBe(8080);
        expect(config.MIGRATE_ON_START).toBe(false);
    });
    it('names every bad variable in one line', () => {
        expect(() => (0, fleetgate_config_1.loadConfig)({ GATEWAY_PORT: 'eighty', REDIS_URL: 'http://nope' })).toThrow(fleetgate_config_1.ConfigurationError);
        try {
            (0, fleetgate_config_1.loadConfig)({ GATEWAY_PORT: 'eighty', REDIS_URL: 'http://nope' });
        }
        catch (error) {
            const message = error.message;
            expect(message).not.toContain('\n');
            expect(message).toContain('GATEWAY_PORT');
            expect(message).toContain('REDIS_URL must be a redis:// URL');
        }
    });
    it('refuses the public demo secrets in production', () => {
        expect(() => (0, fleetgate_config_1.loadConfig)({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
    });
});
//# sourceMappingURL=fleetgate-config.spec.js.map