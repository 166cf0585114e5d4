export * from './accounts/vendor-account.service';
export * from './core';
export * from './registry/vendor-registry';
export * from './vendor-catalog';
export * from './vendors.module';
export { ArmcloudClient } from './armcloud/armcloud-client';
export { decryptArmcloudData } from './armcloud/armcloud-crypto';
export { ArmcloudSigner, armcloudCanonicalRequest, formatArmcloudDate } from './armcloud/armcloud-signer';
export { RedisRateLimiter } from './registry/redis-rate-limiter';
