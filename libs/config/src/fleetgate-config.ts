import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

// Demo values that work on a developer's machine. Production refuses to start with them (see below).
const DEMO_JWT_SECRET = 'fleetgate-demo-jwt-secret-change-me-please';
const DEMO_SECRETS_KEY = 'ZmxlZXRnYXRlLWRlbW8tc2VjcmV0cy1rZXktMzJieXQ='; // 32 bytes, base64

/**
 * Fleetgate's whole configuration, read once from environment variables. Each property is the
 * variable of the same name; the README's configuration table lists them all.
 */
export class FleetgateConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  GATEWAY_PORT = 3000;

  @IsString()
  @IsNotEmpty()
  GATEWAY_HOST = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\/.+\/[^/?]+/, { message: 'must be a postgresql:// URL that names a database' })
  DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/fleetgate';

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key Fleetgate writes (queues, rate limits), so several installs can share a Redis. */
  @Matches(/^[a-z0-9_-]+$/i, { message: 'may hold letters, digits, _ and - only' })
  REDIS_PREFIX = 'fleetgate';

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATE_ON_START = true;

  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET = DEMO_JWT_SECRET;

  @Transform(toNumber)
  @IsInt()
  @Min(30)
  @Max(86_400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 14;

  @Matches(/^[^@\s]+@[^@\s]+$/, { message: 'must be an e-mail address' })
  ADMIN_EMAIL = 'admin@fleetgate.local';

  @IsString()
  @MinLength(10, { message: 'must be at least 10 characters' })
  ADMIN_PASSWORD = 'fleetgate-admin';

  /** AES-256-GCM key (base64 of 32 bytes) that encrypts vendor credentials and other secrets at rest. */
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 bytes in base64 (44 characters)' })
  SECRETS_KEY = DEMO_SECRETS_KEY;

  /** Where uploaded apps and files are stored. */
  @IsString()
  @MinLength(1)
  ARTIFACTS_DIR = 'data/artifacts';

  /** Largest upload accepted, in bytes (default 1 GiB). */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  ARTIFACT_MAX_BYTES = 1024 ** 3;

  /** The gateway's address as vendors reach it: signed download links of stored uploads start with it. */
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /** The executor group this worker joins (scheduled jobs can be pinned to a group). */
  @Matches(/^[\w.-]{1,64}$/, { message: 'may hold letters, digits, _ . and - only (1 to 64)' })
  EXECUTOR_GROUP = 'default';

  /**
   * Proxies in front of the gateway whose X-Forwarded-For is believed (0: none). The client address
   * drives sign-in limits and the operation log, so trust only the hops you run.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS = 0;

  /** Sign-in attempts a client address may make per minute. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(100_000)
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE = 60;

  /** Failed sign-ins for one e-mail from one address before that pair waits 15 minutes. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1_000)
  LOGIN_FAILURES_PER_ACCOUNT = 5;

  /**
   * Let vendor base URLs and event-subscription URLs point at loopback, link-local and cloud metadata
   * addresses. Off by default (server-side request forgery); on for simulators on the same machine.
   */
  @Transform(toBoolean)
  @IsBoolean()
  ALLOW_INTERNAL_URLS = false;

  /** Port of the worker's Prometheus endpoint (GET /metrics: job durations, vendor calls); 0 turns it off. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65_535)
  WORKER_METRICS_PORT = 9464;

  /** Days operation and login logs are kept; the worker deletes older ones every hour. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(3650)
  OPERATION_LOG_RETENTION_DAYS = 90;

  /**
   * Hours an applied vendor callback is kept, and with it its dedupe key (a vendor's retry within
   * that time is acknowledged as a duplicate); the worker deletes older ones every hour. Never less
   * than 72. Callbacks not applied yet are kept whatever their age.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(72)
  @Max(24 * 3650)
  CALLBACK_RETENTION_HOURS = 168;

  /**
   * Failed applies after which a stored vendor callback is dead-lettered: kept and marked, no longer
   * swept or applied, so that one callback that cannot be applied does not hold back the rest.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1000)
  CALLBACK_MAX_ATTEMPTS = 10;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}

export class ConfigurationError extends Error {}

function describe(errors: ValidationError[]): string[] {
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
export function loadConfig(env: NodeJS.ProcessEnv = process.env): FleetgateConfig {
  const known = Object.keys(new FleetgateConfig());
  const raw = Object.fromEntries(
    known.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]),
  );
  const config = plainToInstance(FleetgateConfig, raw, { exposeDefaultValues: true });
  const problems = describe(validateSync(config, { whitelist: false }));
  if (config.isProduction) {
    if (config.JWT_SECRET === DEMO_JWT_SECRET)
      problems.push('JWT_SECRET must be set in production (the demo value is public)');
    if (config.SECRETS_KEY === DEMO_SECRETS_KEY)
      problems.push('SECRETS_KEY must be set in production (the demo value is public)');
  }
  if (problems.length) throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}
