export { RedisConnections, type RedisClient } from './redis-connections';
export { RedisModule } from './redis.module';
export { EpochCache, type EpochCacheOptions } from './epoch-cache';
