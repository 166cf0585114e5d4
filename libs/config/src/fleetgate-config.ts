import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { parseRedisUrl } from './redis-url';

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

// Demo values that work on a developer's machine. Production refuses to start with them (see below).
const DEMO_JWT_SECRET = 'fleetgate-demo-jwt-secret-change-me-please';
const DEMO_SECRETS_KEY = 'ZmxlZXRnYXRlLWRlbW8tc2VjcmV0cy1rZXktMzJieXQ='; // 32 bytes, base64
const DEMO_ADMIN_PASSWORD = 'fleetgate-admin';
const DEMO_ARTIFACT_LINK_KEY = 'fleetgate-demo-artifact-link-key-change-me';

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

  /**
   * Connections each process keeps to PostgreSQL. A job or request waiting for one waits at most
   * DATABASE_CONNECT_TIMEOUT_MS; size it to the work a process runs at once (the worker runs up to 80
   * jobs) and keep every process's pool together under the server's max_connections.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE = 20;

  /** Longest a single SQL statement may run before PostgreSQL cancels it. */
  @Transform(toNumber)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 60_000;

  /** Longest a query waits for a pooled connection, or for a new one to open, before it fails. */
  @Transform(toNumber)
  @IsInt()
  @Min(100)
  @Max(120_000)
  DATABASE_CONNECT_TIMEOUT_MS = 10_000;

  /** One server, a cluster or sentinels: see parseRedisUrl for the forms. */
  @IsString()
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

  /**
   * Hours a sign-in session lives at most, counted from the sign-in however often it is refreshed;
   * then its refresh token and access tokens are refused and the user signs in again.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  SESSION_ABSOLUTE_TTL_HOURS = 24 * 30;

  /** Days an API key lives when its creator names no expiry. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(3650)
  API_KEY_DEFAULT_TTL_DAYS = 90;

  /** Days an API key may live at most; a later expiry is refused when the key is created. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(3650)
  API_KEY_MAX_TTL_DAYS = 365;

  @Matches(/^[^@\s]+@[^@\s]+$/, { message: 'must be an e-mail address' })
  ADMIN_EMAIL = 'admin@fleetgate.local';

  @IsString()
  @MinLength(10, { message: 'must be at least 10 characters' })
  ADMIN_PASSWORD = DEMO_ADMIN_PASSWORD;

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
   * How often a worker beats as an executor. One silent for three beats is offline: no fire is routed
   * to it, and its running runs fail over. Lower means a dead executor's runs move on sooner, at one
   * database write per beat.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(500)
  @Max(300_000)
  EXECUTOR_HEARTBEAT_MS = 10_000;

  /**
   * How long a job's lock lives without renewal, and how often a worker looks for stalled jobs: the
   * jobs of a worker that died run again on another after about this long. Too low and a job whose
   * process is only busy (a long GC pause) runs twice at once.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  WORKER_LOCK_DURATION_MS = 30_000;

  /** How often the worker reads the schedules vendors keep (Gizwits schedulers) and their runs. */
  @Transform(toNumber)
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  VENDOR_SCHEDULE_SYNC_MS = 60_000;

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

  /**
   * Most devices one task may target, however they are chosen (ids, group, filter or account); a
   * larger selection is refused with 422 naming the field.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  TASK_MAX_TARGETS = 100_000;

  /**
   * Most devices whose targets POST /tasks writes before it answers. A larger task is answered 202
   * with `preparing: true` once it is stored, and the worker writes its targets: PostgreSQL alone needs
   * 3 s or more for 100,000 on a 2-core machine, which a caller would otherwise wait for.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  TASK_INLINE_TARGETS = 10_000;

  /**
   * Seconds a due, pending target may wait for its dispatch job before the sweeper enqueues another
   * (Redis lost the job, or it failed for good). Counted from the later of its last change and its
   * batch's not-before time, so a paced rollout is never sent early.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(3_600)
  TASK_REDISPATCH_AFTER_SECONDS = 120;

  // ---- Outbound calls, webhook intake and key rotation ----

  /** Largest answer read from a vendor or a subscriber, in bytes; a larger one fails the call. */
  @Transform(toNumber)
  @IsInt()
  @Min(1024)
  OUTBOUND_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

  /** Largest vendor callback body accepted, in bytes (413 beyond); the rest of the API takes 10 MiB. */
  @Transform(toNumber)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

  /** Requests one client address may send to the webhook route per minute, across every gateway (429 beyond). */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  WEBHOOK_REQUESTS_PER_IP_PER_MINUTE = 60_000;

  /**
   * HMAC key of the signed download links of stored uploads, at least 32 characters. A key of its
   * own: a link handed to a vendor must not be forgeable by whoever learns another key, nor reveal one.
   */
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  ARTIFACT_LINK_KEY = DEMO_ARTIFACT_LINK_KEY;

  /**
   * During a rotation of SECRETS_KEY: the key being replaced. Secrets sealed under it still open;
   * everything new is sealed under SECRETS_KEY (docs/operations.md, "Rotating keys").
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 bytes in base64 (44 characters)' })
  SECRETS_KEY_PREVIOUS?: string = undefined;

  /** During a rotation of JWT_SECRET: access tokens signed with this one are still accepted. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET_PREVIOUS?: string = undefined;

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
  if (typeof config.REDIS_URL === 'string') {
    try {
      parseRedisUrl(config.REDIS_URL);
    } catch (error) {
      problems.push(`REDIS_URL ${(error as Error).message}`);
    }
  }
  if (config.API_KEY_DEFAULT_TTL_DAYS > config.API_KEY_MAX_TTL_DAYS) {
    problems.push('API_KEY_DEFAULT_TTL_DAYS must not exceed API_KEY_MAX_TTL_DAYS');
  }
  if (config.isProduction) {
    const demoValues: Array<[keyof FleetgateConfig, string]> = [
      ['JWT_SECRET', DEMO_JWT_SECRET],
      ['SECRETS_KEY', DEMO_SECRETS_KEY],
      ['ARTIFACT_LINK_KEY', DEMO_ARTIFACT_LINK_KEY],
      ['ADMIN_PASSWORD', DEMO_ADMIN_PASSWORD],
    ];
    for (const [name, demo] of demoValues) {
      if (config[name] === demo) problems.push(`${name} must be set in production (the demo value is public)`);
    }
  }
  // Each key serves one purpose, so that learning or rotating one leaves the others whole.
  const keys: Array<keyof FleetgateConfig> = ['JWT_SECRET', 'SECRETS_KEY', 'ARTIFACT_LINK_KEY'];
  keys.forEach((name, index) => {
    for (const other of keys.slice(0, index)) {
      if (config[name] === config[other]) problems.push(`${name} must differ from ${other}`);
    }
  });
  if (problems.length) throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}
