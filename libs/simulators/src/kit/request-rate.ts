/** What one account sent a simulator: every request, and the most that any one second held. */
export interface AccountRequestRate {
  received: number;
  /** The most requests inside any one-second window, sliding (not whole clock seconds). */
  maxInAnySecond: number;
}

const WINDOW_MS = 1_000;

/**
 * Counts vendor requests per account as they arrive, for checking a caller's rate limit from the
 * receiving side: a vendor that throttles counts every window, not an average.
 */
export class RequestRateLog {
  private readonly accounts = new Map<string, { recent: number[]; received: number; maxInAnySecond: number }>();

  /** `at` in milliseconds on any monotonic clock. */
  record(account: string, at: number): void {
    let entry = this.accounts.get(account);
    if (!entry) {
      entry = { recent: [], received: 0, maxInAnySecond: 0 };
      this.accounts.set(account, entry);
    }
    // The window (at - 1 s, at]: a window holding the most requests can always be slid to end at one.
    let expired = 0;
    while (expired < entry.recent.length && entry.recent[expired] <= at - WINDOW_MS) expired++;
    if (expired > 0) entry.recent.splice(0, expired);
    entry.recent.push(at);
    entry.received++;
    entry.maxInAnySecond = Math.max(entry.maxInAnySecond, entry.recent.length);
  }

  snapshot(): Record<string, AccountRequestRate> {
    const result: Record<string, AccountRequestRate> = {};
    for (const [account, { received, maxInAnySecond }] of this.accounts) result[account] = { received, maxInAnySecond };
    return result;
  }

  clear(): void {
    this.accounts.clear();
  }
}
