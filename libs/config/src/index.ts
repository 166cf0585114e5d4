export * from './config.module';
export * from './fleetgate-config';
