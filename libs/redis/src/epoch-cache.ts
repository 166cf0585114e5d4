import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { RedisConnections } from './redis-connections';

export interface EpochCacheOptions {
  /** The Redis key of the epoch, in the install's namespace (`RedisConnections.key`). */
  key: string;
  /** How long one process may answer from a cached value at the most, whatever the epoch says. */
  maxAgeMs: number;
  /** Values kept; past it the oldest go first. */
  maxEntries: number;
  /** What is cached, for the log line when Redis cannot answer. */
  what: string;
}

/**
 * Rows every request reads, cached in each process under an epoch: a value in Redis that every change
 * to them replaces before it answers. A read first reads the epoch (a Redis GET, shared by the reads
 * that arrive together, far cheaper than the database); a value cached under another epoch is read
 * again from PostgreSQL. So a change made through one process is seen by every process at once, and
 * the database is read only when something changed.
 *
 * The epoch is a random value, not a counter: when Redis loses its data, the next read sets a new one,
 * so no cached value outlives the loss. When Redis cannot answer, nothing is cached and every read goes
 * to the database, as it would without the cache.
 */
export class EpochCache {
  private readonly logger: Logger;
  private readonly entries = new Map<string, { epoch: string; at: number; value: unknown }>();
  /** The epoch read that reads arriving now will share, until it is sent. */
  private nextEpoch?: Promise<string | undefined>;

  constructor(
    private readonly redis: RedisConnections,
    private readonly options: EpochCacheOptions,
  ) {
    this.logger = new Logger(`EpochCache(${options.what})`);
  }

  /**
   * The cached value of `id` if it was read under the current epoch, or else `load()`'s, cached under
   * the epoch read BEFORE loading (a change that lands while loading then moves the epoch past it).
   * Nothing is cached for `undefined`.
   */
  async read<T>(id: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const epoch = await this.epoch();
    const cached = this.entries.get(id);
    if (epoch && cached && cached.epoch === epoch && Date.now() - cached.at < this.options.maxAgeMs) {
      return cached.value as T;
    }
    const value = await load();
    if (epoch && value !== undefined) this.remember(id, epoch, value);
    return value;
  }

  /**
   * Moves the epoch: every process reads the database again on its next read. Call it after the change
   * is committed. It throws when Redis cannot take the new epoch, since other processes would otherwise
   * answer from their caches for up to `maxAgeMs`.
   */
  async invalidate(): Promise<void> {
    this.entries.clear();
    await this.redis.commands.set(this.options.key, randomUUID());
  }

  /**
   * The epoch as Redis holds it after the caller asked. Reads that ask in one turn of the event loop
   * share one GET, sent once the turn's I/O callbacks have run (setImmediate): every one of them arrived
   * before it was sent, so a change committed before any of them arrived is in its answer. A read never
   * joins a GET already sent, whose answer may predate a change it must see.
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
      const current = await this.redis.commands.get(this.options.key);
      if (current) return current;
      // No epoch yet, or Redis lost it: a fresh one, unless another process set one first.
      await this.redis.commands.set(this.options.key, randomUUID(), 'NX');
      return (await this.redis.commands.get(this.options.key)) ?? undefined;
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message },
        `no epoch from Redis: reading ${this.options.what} from the database`,
      );
      return undefined;
    }
  }

  private remember(id: string, epoch: string, value: unknown): void {
    if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { epoch, at: Date.now(), value });
  }
}
