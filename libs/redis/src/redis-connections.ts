import { Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { FleetgateConfig, parseRedisUrl, type RedisTarget } from '@fleetgate/config';

/** A connection to what REDIS_URL names: one server (alone or behind sentinels), or a cluster. */
export type RedisClient = Redis | Cluster;

/**
 * The process's Redis connections, made from REDIS_URL (one server, a cluster or sentinels: see
 * parseRedisUrl), and the key namespace (REDIS_PREFIX). `commands` is one connection shared for ordinary
 * commands; a subscriber, a blocking reader or a connection with options of its own (no offline queue,
 * another retry count) is `dedicated`. Every connection is closed when the application stops.
 */
@Injectable()
export class RedisConnections implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  private readonly opened: RedisClient[] = [];
  private readonly target: RedisTarget;
  private shared?: RedisClient;
  private queues?: Cluster;

  constructor(private readonly config: FleetgateConfig) {
    this.target = parseRedisUrl(config.REDIS_URL);
  }

  /** True when REDIS_URL names a Redis Cluster: multi-key commands then need their keys in one slot. */
  get clustered(): boolean {
    return this.target.kind === 'cluster';
  }

  /** The shared connection for commands; it fails a command after two retries rather than queue forever. */
  get commands(): RedisClient {
    this.shared ??= this.open('commands', { maxRetriesPerRequest: 2 });
    return this.shared;
  }

  /** A connection of its own, for subscribing, blocking, or options that differ from `commands`. */
  dedicated(purpose: string, options: RedisOptions = {}): RedisClient {
    return this.open(purpose, options);
  }

  /** A key in this install's namespace: `key('auth', 'epoch')` is `<REDIS_PREFIX>:auth:epoch`. */
  key(...parts: string[]): string {
    return [this.config.REDIS_PREFIX, ...parts].join(':');
  }

  /**
   * The BullMQ prefix of one queue. A BullMQ queue's Lua scripts touch many of its keys at once, so on a
   * cluster they must share a slot: the prefix is then a hash tag of the install and the queue
   * (`{fleetgate:tasks}`), which keeps each queue in one slot while different queues spread over the
   * masters. On one server the prefix is REDIS_PREFIX, as the keys of existing installs are named.
   */
  queuePrefix(queue: string): string {
    return this.clustered ? `{${this.config.REDIS_PREFIX}:${queue}}` : this.config.REDIS_PREFIX;
  }

  /**
   * The connection BullMQ queues and workers use (they must not give up on a command). On one server
   * or sentinels, options from which BullMQ opens connections of its own; on a cluster, one Cluster
   * client shared by every queue (BullMQ duplicates it for a worker's blocking reads), closed after
   * the queues at shutdown.
   */
  queueConnection(): ConnectionOptions {
    const target = this.target;
    switch (target.kind) {
      case 'single':
        return { url: target.url, maxRetriesPerRequest: null } as ConnectionOptions;
      case 'sentinel':
        return {
          ...this.sentinelOptions(target),
          connectionName: 'fleetgate-queues',
          maxRetriesPerRequest: null,
        } as ConnectionOptions;
      case 'cluster':
        this.queues ??= this.build('queues', { maxRetriesPerRequest: null }) as Cluster;
        return this.queues;
    }
  }

  /**
   * Every key of this install (plain keys and queue keys), read with SCAN on every master of a cluster,
   * since each holds only its own slots. For maintenance and tests; it walks the whole keyspace.
   */
  async keysOfInstall(): Promise<string[]> {
    const client = this.commands;
    // A cluster client knows its masters once it has read the slots: the PING waits for that.
    await client.ping();
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    const patterns = [`${this.config.REDIS_PREFIX}:*`, `{${this.config.REDIS_PREFIX}:*`];
    const found = new Set<string>();
    for (const node of nodes) {
      for (const pattern of patterns) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          for (const key of keys) found.add(key);
          cursor = next;
        } while (cursor !== '0');
      }
    }
    return [...found];
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.opened.map((connection) => close(connection)));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.queues) await close(this.queues);
  }

  private open(purpose: string, options: RedisOptions): RedisClient {
    const connection = this.build(purpose, options);
    this.opened.push(connection);
    return connection;
  }

  private build(purpose: string, options: RedisOptions): RedisClient {
    const target = this.target;
    const named = { connectionName: `fleetgate-${purpose}`, ...options };
    const connection =
      target.kind === 'single'
        ? new Redis(target.url, named)
        : target.kind === 'sentinel'
          ? new Redis({ ...this.sentinelOptions(target), ...named })
          : new Cluster(target.nodes, clusterOptions(target, named));
    // Commands report their own failures; the connection's error events would otherwise go unhandled.
    connection.on('error', (error: Error) => this.logger.debug({ purpose, err: error.message }, 'redis connection error'));
    return connection;
  }

  private sentinelOptions(target: Extract<RedisTarget, { kind: 'sentinel' }>): RedisOptions {
    return {
      sentinels: target.sentinels,
      name: target.name,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.db === undefined ? {} : { db: target.db }),
      ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    };
  }
}

/**
 * The options of one connection, split as a cluster client takes them: the client's own (offline
 * queue, lazy connect, retry strategy) and those of its connection to each node.
 */
function clusterOptions(target: Extract<RedisTarget, { kind: 'cluster' }>, options: RedisOptions): ClusterOptions {
  const { enableOfflineQueue, lazyConnect, enableReadyCheck, retryStrategy, ...perNode } = options;
  return {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableReadyCheck === undefined ? {} : { enableReadyCheck }),
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
    redisOptions: {
      ...perNode,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
  };
}

/** QUIT lets sent commands finish; a connection that is not up is dropped, since QUIT would wait for it. */
async function close(connection: RedisClient): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  await connection.quit().catch(() => connection.disconnect());
}
