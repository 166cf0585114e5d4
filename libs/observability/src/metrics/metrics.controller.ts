import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Authenticated, Permission } from '@fleetgate/auth';
import { MetricsRegistry } from './metrics.registry';

@ApiTags('ops')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  /** Prometheus text format. Scrape it with an API key that holds metrics:read. */
  @Get()
  @Authenticated({ permission: Permission.MetricsRead })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  render(): Promise<string> {
    return this.metrics.render();
  }
}
