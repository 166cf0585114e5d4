export { RedisConnections } from './redis-connections';
export { RedisModule } from './redis.module';
