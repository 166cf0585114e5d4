import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { RedisConnections } from '@fleetgate/redis';

/** How long one process may answer from a cached row at the most, whatever the epoch says. */
const MAX_AGE_MS = 60_000;
/** Rows kept per cache; past it the oldest go first. */
const MAX_ENTRIES = 20_000;

/**
 * The sign-in state (a session with its user, an API key with its owner) that every authenticated
 * request reads, cached in each process under the credential epoch: a value in Redis that every change
 * to who may act (logout, a revoked session or key, a disabled user, a password change, force offline,
 * an edited user) replaces before it answers. A request first reads the epoch (a Redis GET, shared by
 * the requests that arrive together, far cheaper than the database); a cached row read under another
 * epoch is read again from PostgreSQL. So a revocation stops its token on every gateway at once, and the
 * database is read only when something changed.
 *
 * The epoch is a random value, not a counter: when Redis loses its data, the next read sets a new one,
 * so no cached row outlives the loss. When Redis cannot answer, nothing is cached and every request
 * reads the database, as it would without the cache.
 */
@Injectable()
export class SignInCache {
  private readonly logger = new Logger(SignInCache.name);
  private readonly key: string;
  private readonly entries = new Map<string, { epoch: string; at: number; value: unknown }>();
  /** The epoch read that requests arriving now will share, until it is sent. */
  private nextEpoch?: Promise<string | undefined>;

  constructor(private readonly redis: RedisConnections) {
    this.key = redis.key('auth', 'epoch');
  }

  /**
   * The cached value of `id` if it was read under the current epoch, or else `load()`'s, cached under
   * the epoch read BEFORE loading (a change that lands while loading then moves the epoch past it).
   */
  async read<T>(id: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const epoch = await this.epoch();
    const cached = this.entries.get(id);
    if (epoch && cached && cached.epoch === epoch && Date.now() - cached.at < MAX_AGE_MS) return cached.value as T;
    const value = await load();
    if (epoch && value !== undefined) this.remember(id, epoch, value);
    return value;
  }

  /**
   * Moves the epoch: every process reads the database again on its next request. Call it after the
   * change is committed. It throws when Redis cannot take the new epoch, since other processes would
   * otherwise answer from their caches for up to a minute.
   */
  async invalidate(): Promise<void> {
    this.entries.clear();
    await this.redis.commands.set(this.key, randomUUID());
  }

  /**
   * The epoch as Redis holds it after the caller asked. Requests that ask in one turn of the event loop
   * share one GET, sent once the turn's I/O callbacks have run (setImmediate): every one of them arrived
   * before it was sent, so a change committed before any of them arrived is in its answer. A request
   * never joins a GET already sent, whose answer may predate a change it must see.
   */
  private epoch(): Promise<string | undefined> {
    this.nextEpoch ??= new Promise((resolve) => {
      setImmediate(() => {
        this.nextEpoch = undefined;
        resolve(this.readEpoch());
      });
    });
    return this.nextEpoch;
  }

  private async readEpoch(): Promise<string | undefined> {
    try {
      const current = await this.redis.commands.get(this.key);
      if (current) return current;
      // No epoch yet, or Redis lost it: a fresh one, unless another process set one first.
      await this.redis.commands.set(this.key, randomUUID(), 'NX');
      return (await this.redis.commands.get(this.key)) ?? undefined;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'no credential epoch from Redis: reading sign-in state from the database');
      return undefined;
    }
  }

  private remember(id: string, epoch: string, value: unknown): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { epoch, at: Date.now(), value });
  }
}
