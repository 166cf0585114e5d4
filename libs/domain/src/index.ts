export * from './device';
export * from './operations';
export * from './task-status';
export * from './vendor-name';
export * from './errors';
