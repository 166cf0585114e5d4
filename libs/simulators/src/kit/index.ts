export * from './callback-sender';
export * from './fault-settings';
export * from './random';
export * from './request-rate';
export * from './simulator-server';
export * from './vendor-simulator';
