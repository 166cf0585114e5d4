export * from './admin.module';
export * from './number-segments/number-segments.module';
export * from './operation-logs/operation-logs.module';
export * from './operation-logs/operation-logs.service';
