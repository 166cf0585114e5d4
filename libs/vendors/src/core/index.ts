export * from './rate-limiter';
export * from './vendor-account';
export * from './vendor-adapter';
export * from './vendor-definition';
export * from './vendor-error';
export * from './vendor-transport';
