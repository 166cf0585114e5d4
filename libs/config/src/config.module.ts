import { Global, Module } from '@nestjs/common';
import { FleetgateConfig, loadConfig } from './fleetgate-config';

/** Provides the validated FleetgateConfig everywhere; loading it twice is harmless and cheap. */
@Global()
@Module({
  providers: [{ provide: FleetgateConfig, useFactory: () => loadConfig() }],
  exports: [FleetgateConfig],
})
export class ConfigModule {}
