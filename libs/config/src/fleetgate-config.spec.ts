import { randomBytes } from 'node:crypto';
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

  it('takes a Redis Cluster or sentinels in REDIS_URL, and says what is wrong with a bad one', () => {
    expect(loadConfig({ REDIS_URL: 'redis+cluster://127.0.0.1:7101,127.0.0.1:7102' }).REDIS_URL).toBe(
      'redis+cluster://127.0.0.1:7101,127.0.0.1:7102',
    );
    expect(loadConfig({ REDIS_URL: 'redis+sentinel://10.0.0.1:26379/mymaster' }).REDIS_URL).toBe(
      'redis+sentinel://10.0.0.1:26379/mymaster',
    );
    expect(() => loadConfig({ REDIS_URL: 'redis+sentinel://10.0.0.1:26379' })).toThrow(
      /REDIS_URL must end with the name of the master/,
    );
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

  it('dead-letters a vendor callback after CALLBACK_MAX_ATTEMPTS failed applies, at least one', () => {
    expect(loadConfig({}).CALLBACK_MAX_ATTEMPTS).toBe(10);
    expect(loadConfig({ CALLBACK_MAX_ATTEMPTS: '3' }).CALLBACK_MAX_ATTEMPTS).toBe(3);
    expect(() => loadConfig({ CALLBACK_MAX_ATTEMPTS: '0' })).toThrow(/CALLBACK_MAX_ATTEMPTS/);
  });

  it('times the worker: job locks, executor heartbeats and the vendor schedule sync, refusing a bad value by name', () => {
    const config = loadConfig({});
    expect(config.WORKER_LOCK_DURATION_MS).toBe(30_000);
    expect(config.EXECUTOR_HEARTBEAT_MS).toBe(10_000);
    expect(config.VENDOR_SCHEDULE_SYNC_MS).toBe(60_000);
    const tuned = loadConfig({
      WORKER_LOCK_DURATION_MS: '3000',
      EXECUTOR_HEARTBEAT_MS: '1000',
      VENDOR_SCHEDULE_SYNC_MS: '5000',
    });
    expect(tuned).toMatchObject({
      WORKER_LOCK_DURATION_MS: 3_000,
      EXECUTOR_HEARTBEAT_MS: 1_000,
      VENDOR_SCHEDULE_SYNC_MS: 5_000,
    });
    for (const bad of ['soon', '0', '-5', '1.5']) {
      expect(() => loadConfig({ WORKER_LOCK_DURATION_MS: bad })).toThrow(
        /invalid configuration: WORKER_LOCK_DURATION_MS /,
      );
    }
    expect(() => loadConfig({ EXECUTOR_HEARTBEAT_MS: 'often' })).toThrow(/EXECUTOR_HEARTBEAT_MS /);
    expect(() => loadConfig({ VENDOR_SCHEDULE_SYNC_MS: '10' })).toThrow(/VENDOR_SCHEDULE_SYNC_MS /);
  });

  it('refuses the public demo secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
  });

  /** Real secrets, as an operator sets them. */
  const production = {
    NODE_ENV: 'production',
    JWT_SECRET: 'a-real-jwt-secret-of-at-least-32-characters',
    SECRETS_KEY: randomBytes(32).toString('base64'),
    ARTIFACT_LINK_KEY: 'a-real-artifact-link-key-of-32-characters',
    ADMIN_PASSWORD: 'a real admin password',
  };

  it('starts in production with real secrets', () => {
    expect(loadConfig(production).isProduction).toBe(true);
  });

  it.each([
    ['ADMIN_PASSWORD', 'fleetgate-admin'],
    ['JWT_SECRET', 'fleetgate-demo-jwt-secret-change-me-please'],
    ['SECRETS_KEY', 'ZmxlZXRnYXRlLWRlbW8tc2VjcmV0cy1rZXktMzJieXQ='],
    ['ARTIFACT_LINK_KEY', 'fleetgate-demo-artifact-link-key-change-me'],
  ])('refuses the demo %s in production, set explicitly or left to its default', (name, demo) => {
    expect(() => loadConfig({ ...production, [name]: demo })).toThrow(
      new RegExp(`${name} must be set in production \\(the demo value is public\\)`),
    );
    expect(() => loadConfig({ ...production, [name]: undefined })).toThrow(new RegExp(`${name} must be set`));
    expect(() => loadConfig({ ...production, NODE_ENV: 'development', [name]: demo })).not.toThrow();
  });

  it('keeps the keys apart: one value may not serve as two of them', () => {
    expect(() => loadConfig({ ...production, ARTIFACT_LINK_KEY: production.JWT_SECRET })).toThrow(
      /ARTIFACT_LINK_KEY must differ from JWT_SECRET/,
    );
    expect(() => loadConfig({ ...production, ARTIFACT_LINK_KEY: production.SECRETS_KEY })).toThrow(
      /ARTIFACT_LINK_KEY must differ from SECRETS_KEY/,
    );
    expect(() => loadConfig({ ...production, JWT_SECRET: production.SECRETS_KEY })).toThrow(
      /SECRETS_KEY must differ from JWT_SECRET/,
    );
  });

  it('takes previous keys for rotation, each in its key’s own form', () => {
    const previousKey = randomBytes(32).toString('base64');
    const config = loadConfig({
      ...production,
      SECRETS_KEY_PREVIOUS: previousKey,
      JWT_SECRET_PREVIOUS: 'the-jwt-secret-before-the-rotation-32chars',
    });
    expect(config.SECRETS_KEY_PREVIOUS).toBe(previousKey);
    expect(config.JWT_SECRET_PREVIOUS).toBe('the-jwt-secret-before-the-rotation-32chars');
    expect(loadConfig({}).SECRETS_KEY_PREVIOUS).toBeUndefined();
    expect(() => loadConfig({ ...production, SECRETS_KEY_PREVIOUS: 'short' })).toThrow(
      /SECRETS_KEY_PREVIOUS must be 32 bytes/,
    );
    expect(() => loadConfig({ ...production, JWT_SECRET_PREVIOUS: 'short' })).toThrow(
      /JWT_SECRET_PREVIOUS must be at least 32/,
    );
  });
});
