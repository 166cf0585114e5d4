import { type DynamicModule, Global, Module } from '@nestjs/common';
import { FleetgateConfig, loadConfig } from './fleetgate-config';

/** Provides the validated FleetgateConfig everywhere: the one the app was started with. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: FleetgateConfig = loadConfig()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: FleetgateConfig, useValue: config }],
      exports: [FleetgateConfig],
    };
  }
}
