export * from './schedule-plan';
export * from './schedule-runner';
export * from './scheduling.module';
export * from './scheduling.service';
export * from './executor-registry';
export * from './executor-router';
export * from './executor-queues';
export * from './vendor-schedule-mirror';
export { JobRunQueryDto } from './scheduled-job.dto';
