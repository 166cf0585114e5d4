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

  it('dead-letters a vendor callback after CALLBACK_MAX_ATTEMPTS failed applies, at least one', () => {
    expect(loadConfig({}).CALLBACK_MAX_ATTEMPTS).toBe(10);
    expect(loadConfig({ CALLBACK_MAX_ATTEMPTS: '3' }).CALLBACK_MAX_ATTEMPTS).toBe(3);
    expect(() => loadConfig({ CALLBACK_MAX_ATTEMPTS: '0' })).toThrow(/CALLBACK_MAX_ATTEMPTS/);
  });

  it('refuses the public demo secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
  });
});
