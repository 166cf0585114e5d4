export * from './config.module';
export * from './fleetgate-config';
export * from './redis-url';
