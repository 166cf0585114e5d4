import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '@fleetgate/auth';
import { PostgresHealthIndicator } from './postgres.health';
import { READINESS_CONTRIBUTORS, type ReadinessContributor } from './readiness-contributor';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: PostgresHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @Optional() @Inject(READINESS_CONTRIBUTORS) private readonly contributors: ReadinessContributor[] = [],
  ) {}

  /** The process is up. */
  @Public()
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** PostgreSQL and Redis answer (503 with details when one does not). */
  @Public()
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.postgres.check(),
      () => this.redis.check(),
      ...this.contributors.map((contributor) => () => contributor.checkReadiness()),
    ]);
  }
}
