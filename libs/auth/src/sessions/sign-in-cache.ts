import { Injectable } from '@nestjs/common';
import { EpochCache, RedisConnections } from '@fleetgate/redis';

/**
 * The sign-in state (a session with its user, an API key with its owner) that every authenticated
 * request reads, cached in each process under the credential epoch (EpochCache): every change to who
 * may act (logout, a revoked session or key, a disabled user, a password change, force offline, an
 * edited user) replaces the epoch before it answers, so a revocation stops its token on every gateway
 * at once.
 */
@Injectable()
export class SignInCache extends EpochCache {
  constructor(redis: RedisConnections) {
    super(redis, { key: redis.key('auth', 'epoch'), maxAgeMs: 60_000, maxEntries: 20_000, what: 'sign-in state' });
  }
}
