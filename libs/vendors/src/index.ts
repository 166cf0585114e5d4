export * from './accounts/vendor-account.service';
export * from './core';
export * from './registry/vendor-registry';
export * from './vendor-catalog';
export * from './vendors.module';
