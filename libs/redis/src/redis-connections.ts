import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { FleetgateConfig } from '@fleetgate/config';

/**
 * The process's Redis connections, made from REDIS_URL, and the key namespace (REDIS_PREFIX).
 * `commands` is one connection shared for ordinary commands; a subscriber or a blocking reader needs a
 * connection of its own (`dedicated`). Every connection is closed when the application stops.
 */
@Injectable()
export class RedisConnections implements OnModuleDestroy {
  private readonly logger = new Logger(RedisConnections.name);
  private readonly opened: Redis[] = [];
  private shared?: Redis;

  constructor(private readonly config: FleetgateConfig) {}

  /** The shared connection for commands; it fails a command after two retries rather than queue forever. */
  get commands(): Redis {
    this.shared ??= this.open('commands', { maxRetriesPerRequest: 2 });
    return this.shared;
  }

  /** A connection of its own, for subscribing or blocking. */
  dedicated(purpose: string, options: RedisOptions = {}): Redis {
    return this.open(purpose, options);
  }

  /** A key in this install's namespace: `key('auth', 'epoch')` is `<REDIS_PREFIX>:auth:epoch`. */
  key(...parts: string[]): string {
    return [this.config.REDIS_PREFIX, ...parts].join(':');
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.opened.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }

  private open(purpose: string, options: RedisOptions): Redis {
    const connection = new Redis(this.config.REDIS_URL, { connectionName: `fleetgate-${purpose}`, ...options });
    // Commands report their own failures; the connection's error events would otherwise go unhandled.
    connection.on('error', (error: Error) => this.logger.debug({ purpose, err: error.message }, 'redis connection error'));
    this.opened.push(connection);
    return connection;
  }
}
