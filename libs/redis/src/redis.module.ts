import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections';

/** One place that opens Redis connections and names keys. */
@Global()
@Module({ providers: [RedisConnections], exports: [RedisConnections] })
export class RedisModule {}
