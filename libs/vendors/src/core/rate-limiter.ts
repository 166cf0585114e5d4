/**
 * Waits for a slot under an account's request rate. The gateway and worker provide one backed by
 * Redis so the limit holds across every process; tests may use the in-process one below.
 */
export interface RateLimiter {
  /** Resolves once a slot is taken; rejects when `signal` aborts first (and then takes none). */
  acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void>;
  /** Holds every acquire of `key` back for `ms` (a vendor's Retry-After). */
  pause(key: string, ms: number): Promise<void>;
}

/** A per-process token bucket: for unit tests and single-process tools only. */
export class InProcessRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly pausedUntil = new Map<string, number>();

  async pause(key: string, ms: number): Promise<void> {
    this.pausedUntil.set(key, Math.max(this.pausedUntil.get(key) ?? 0, Date.now() + ms));
  }

  async acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      const paused = (this.pausedUntil.get(key) ?? 0) - now;
      if (paused > 0) {
        await new Promise((resolve) => setTimeout(resolve, paused));
        continue;
      }
      const bucket = this.buckets.get(key) ?? { tokens: perSecond, at: now };
      bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
      this.buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - bucket.tokens) / perSecond) * 1000)));
    }
  }
}
