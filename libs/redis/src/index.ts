export { RedisConnections, type RedisClient } from './redis-connections';
export { RedisModule } from './redis.module';
