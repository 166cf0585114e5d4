export * from './job-catalog';
export * from './job-handler.decorator';
export * from './job-producer';
export * from './permanent-job-error';
export * from './queues.module';
export * from './outbox';
export * from './queue-dashboard';
export * from './queue-metrics';
