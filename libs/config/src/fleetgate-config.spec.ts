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

  it('bounds the PostgreSQL pool: its size, its statement timeout and the wait for a connection', () => {
    const config = loadConfig({});
    expect(config.DATABASE_POOL_SIZE).toBe(20);
    expect(config.DATABASE_STATEMENT_TIMEOUT_MS).toBe(60_000);
    expect(config.DATABASE_CONNECT_TIMEOUT_MS).toBe(10_000);
    expect(loadConfig({ DATABASE_POOL_SIZE: '80' }).DATABASE_POOL_SIZE).toBe(80);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
  });

  it('caps the devices of one task and bounds the sweeper’s horizon', () => {
    expect(loadConfig({}).TASK_MAX_TARGETS).toBe(100_000);
    expect(loadConfig({}).TASK_REDISPATCH_AFTER_SECONDS).toBe(120);
    expect(() => loadConfig({ TASK_MAX_TARGETS: '0' })).toThrow(/TASK_MAX_TARGETS/);
    expect(() => loadConfig({ TASK_REDISPATCH_AFTER_SECONDS: '0' })).toThrow(/TASK_REDISPATCH_AFTER_SECONDS/);
  });

  it('refuses the public demo secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
  });
});
