import { Cluster } from 'ioredis';
import { loadConfig } from '@fleetgate/config';
import { RedisConnections } from './redis-connections';

const CLUSTER_URL = 'redis+cluster://127.0.0.1:7101,127.0.0.1:7102';

describe('RedisConnections', () => {
  it('keeps queue keys under REDIS_PREFIX on one server, and gives each queue a hash tag on a cluster', () => {
    const single = new RedisConnections(loadConfig({ REDIS_PREFIX: 'fg' }));
    const cluster = new RedisConnections(loadConfig({ REDIS_PREFIX: 'fg', REDIS_URL: CLUSTER_URL }));
    expect(single.clustered).toBe(false);
    expect(single.queuePrefix('tasks')).toBe('fg');
    expect(cluster.clustered).toBe(true);
    expect(cluster.queuePrefix('tasks')).toBe('{fg:tasks}');
    expect(cluster.key('auth', 'epoch')).toBe('fg:auth:epoch');
  });

  it('opens a cluster client for a cluster URL, with each option where the cluster client reads it', async () => {
    const redis = new RedisConnections(loadConfig({ REDIS_URL: 'redis+cluster://fg:pw@127.0.0.1:7101,127.0.0.1:7102' }));
    const client = redis.dedicated('probe', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    expect(client).toBeInstanceOf(Cluster);
    const cluster = client as Cluster;
    expect(cluster.options.enableOfflineQueue).toBe(false);
    expect(cluster.options.lazyConnect).toBe(true);
    expect(cluster.options.redisOptions).toMatchObject({
      maxRetriesPerRequest: 1,
      username: 'fg',
      password: 'pw',
      connectionName: 'fleetgate-probe',
    });
    expect(redis.queueConnection()).toBeInstanceOf(Cluster);
    await redis.onModuleDestroy();
    await redis.onApplicationShutdown();
  });

  it('lists the keys of its install, plain and hash-tagged, and no other install', async () => {
    const prefix = `fg-keys-${process.pid}-${Date.now()}`;
    const redis = new RedisConnections(loadConfig({ REDIS_PREFIX: prefix, NODE_ENV: 'test' }));
    const other = new RedisConnections(loadConfig({ REDIS_PREFIX: `${prefix}-other`, NODE_ENV: 'test' }));
    const mine = [`${prefix}:auth:epoch`, `{${prefix}:tasks}:tasks:wait`];
    for (const key of [...mine, `${prefix}-other:auth:epoch`]) await redis.commands.set(key, '1', 'EX', 60);
    expect((await redis.keysOfInstall()).sort()).toEqual(mine.sort());
    expect(await other.keysOfInstall()).toEqual([`${prefix}-other:auth:epoch`]);
    await redis.onModuleDestroy();
    await other.onModuleDestroy();
  });
});
