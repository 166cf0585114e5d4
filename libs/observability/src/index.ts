export * from './health/readiness-contributor';
export * from './metrics/http-metrics';
export * from './metrics/metrics.registry';
export * from './observability.module';
