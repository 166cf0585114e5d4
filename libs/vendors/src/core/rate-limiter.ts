/** One request's place under an account's limit. */
export interface RateSlot {
  /**
   * Called once the request has its answer (or was never sent): from then the slot holds one second
   * more and is free. Never rejects; a slot not released frees itself after the request's longest run.
   */
  release(): Promise<void>;
}

/** What one account allows: at most `perSecond` requests arriving in any one-second window. */
export interface RateLimit {
  perSecond: number;
  /** The longest a request can run (the account's timeout plus slack): how long an unreleased slot holds. */
  maxRequestMs: number;
}

/**
 * Waits for a slot under an account's request rate. The gateway and worker provide one backed by
 * Redis so the limit holds across every process; tests may use the in-process one below.
 *
 * The limit holds as the vendor counts it, in every sliding one-second window of arrivals. A slot is
 * held from its grant until one second after the request's answer: a request arrives after its grant
 * and before its answer, so any requests arriving within one second of each other hold their slots at
 * one same instant, and no more than `perSecond` slots are ever held at once. This needs no guess of
 * the delay between grant and arrival (event-loop stalls, network), which a window of grants alone does.
 */
export interface RateLimiter {
  /** Resolves once a slot is taken; rejects when `signal` aborts first (and then takes none). */
  acquire(key: string, limit: RateLimit, signal?: AbortSignal): Promise<RateSlot>;
  /** Holds every acquire of `key` back for `ms` (a vendor's Retry-After). */
  pause(key: string, ms: number): Promise<void>;
}

/** How long a slot is held after its request's answer: the vendor's window. */
export const RATE_WINDOW_MS = 1_000;

/** Longest sleep before looking again while every slot is held by a request still waiting for its answer. */
export function recheckMs(perSecond: number): number {
  return Math.max(5, Math.ceil(RATE_WINDOW_MS / perSecond));
}

/** The same rule within one process: for unit tests and single-process tools only. */
export class InProcessRateLimiter implements RateLimiter {
  /** Per key, each held slot's end: its request's longest run until released, then one window after. */
  private readonly held = new Map<string, Map<symbol, number>>();
  private readonly pausedUntil = new Map<string, number>();

  async pause(key: string, ms: number): Promise<void> {
    this.pausedUntil.set(key, Math.max(this.pausedUntil.get(key) ?? 0, Date.now() + ms));
  }

  async acquire(key: string, limit: RateLimit, signal?: AbortSignal): Promise<RateSlot> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      const paused = (this.pausedUntil.get(key) ?? 0) - now;
      if (paused > 0) {
        await new Promise((resolve) => setTimeout(resolve, paused));
        continue;
      }
      const slots = this.held.get(key) ?? new Map<symbol, number>();
      this.held.set(key, slots);
      for (const [slot, end] of slots) if (end < now) slots.delete(slot);
      if (slots.size < limit.perSecond) {
        const slot = Symbol('slot');
        slots.set(slot, now + limit.maxRequestMs);
        return {
          release: async () => {
            const end = slots.get(slot);
            if (end !== undefined) slots.set(slot, Math.min(end, Date.now() + RATE_WINDOW_MS));
          },
        };
      }
      const firstEnd = Math.min(...slots.values());
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(1, Math.min(firstEnd - now + 1, recheckMs(limit.perSecond)))),
      );
    }
  }
}
