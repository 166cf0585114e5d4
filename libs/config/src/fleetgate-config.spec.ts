import { ConfigurationError, loadConfig } from './fleetgate-config';

describe('loadConfig', () => {
  it('has defaults that work on this machine', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/fleetgate');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.GATEWAY_PORT).toBe(3000);
    expect(config.MIGRATE_ON_START).toBe(true);
  });

  it('converts types from strings', () => {
    const config = loadConfig({ GATEWAY_PORT: '8080', MIGRATE_ON_START: 'false' });
    expect(config.GATEWAY_PORT).toBe(8080);
    expect(config.MIGRATE_ON_START).toBe(false);
  });

  it('names every bad variable in one line', () => {
    expect(() => loadConfig({ GATEWAY_PORT: 'eighty', REDIS_URL: 'http://nope' })).toThrow(ConfigurationError);
    try {
      loadConfig({ GATEWAY_PORT: 'eighty', REDIS_URL: 'http://nope' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain('GATEWAY_PORT');
      expect(message).toContain('REDIS_URL must be a redis:// URL');
    }
  });

  it('keeps vendor callbacks (and their dedupe keys) at least 72 hours', () => {
    expect(loadConfig({}).CALLBACK_RETENTION_HOURS).toBe(168);
    expect(loadConfig({ CALLBACK_RETENTION_HOURS: '72' }).CALLBACK_RETENTION_HOURS).toBe(72);
    expect(() => loadConfig({ CALLBACK_RETENTION_HOURS: '48' })).toThrow(/CALLBACK_RETENTION_HOURS/);
  });

  it('bounds sessions and API keys in time', () => {
    const config = loadConfig({});
    expect(config.SESSION_ABSOLUTE_TTL_HOURS).toBe(720);
    expect(config.API_KEY_DEFAULT_TTL_DAYS).toBe(90);
    expect(config.API_KEY_MAX_TTL_DAYS).toBe(365);
    expect(() => loadConfig({ SESSION_ABSOLUTE_TTL_HOURS: '0' })).toThrow(/SESSION_ABSOLUTE_TTL_HOURS/);
    expect(() => loadConfig({ API_KEY_DEFAULT_TTL_DAYS: '30', API_KEY_MAX_TTL_DAYS: '7' })).toThrow(
      /API_KEY_DEFAULT_TTL_DAYS must not exceed API_KEY_MAX_TTL_DAYS/,
    );
  });

  it('refuses the public demo secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
  });
});
