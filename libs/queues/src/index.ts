export * from './job-catalog';
export * from './job-handler.decorator';
export * from './job-producer';
export * from './permanent-job-error';
export * from './queues.module';
export * from './outbox';
