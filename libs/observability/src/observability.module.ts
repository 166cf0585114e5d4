import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health/health.controller';
import { PostgresHealthIndicator } from './health/postgres.health';
import { RedisHealthIndicator } from './health/redis.health';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsRegistry } from './metrics/metrics.registry';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [MetricsRegistry, PostgresHealthIndicator, RedisHealthIndicator],
  exports: [MetricsRegistry],
})
export class ObservabilityModule {}
