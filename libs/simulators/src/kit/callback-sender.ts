import type { FaultSettings } from './fault-settings';
import type { Random } from './random';

export interface CallbackDelivery {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
}

export interface CallbackRecord extends CallbackDelivery {
  at: number;
  /** 'delivered' with the receiver's HTTP status, 'dropped' by the failure fault, or 'error' (network). */
  outcome: 'delivered' | 'dropped' | 'error';
  status?: number;
}

/**
 * Delivers vendor callbacks over HTTP, applying the callback faults: duplicates, reversed order
 * within a batch, and dropped deliveries. Keeps the last deliveries for `GET /_sim/callbacks`.
 */
export class CallbackSender {
  private readonly log: CallbackRecord[] = [];
  private readonly logLimit = 1000;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly faults: () => FaultSettings,
    private readonly random: Random,
  ) {}

  /** Sends a batch; the order, duplicates and drops follow the current fault settings. */
  send(deliveries: CallbackDelivery[]): void {
    const faults = this.faults();
    const ordered = faults.callbackOutOfOrder ? [...deliveries].reverse() : deliveries;
    const chain = (async () => {
      for (const delivery of ordered) {
        await this.deliver(delivery, faults);
        if (this.random.chance(faults.callbackDuplicateRate)) await this.deliver(delivery, faults);
      }
    })();
    this.inFlight.add(chain);
    void chain.finally(() => this.inFlight.delete(chain));
  }

  recent(): readonly CallbackRecord[] {
    return this.log;
  }

  clear(): void {
    this.log.length = 0;
  }

  /** Resolves when every delivery under way has ended (for tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(delivery: CallbackDelivery, faults: FaultSettings): Promise<void> {
    const record: CallbackRecord = { ...delivery, at: Date.now(), outcome: 'dropped' };
    if (!this.random.chance(faults.callbackFailureRate)) {
      try {
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...delivery.headers },
          body: JSON.stringify(delivery.body),
          signal: AbortSignal.timeout(10_000),
        });
        record.outcome = 'delivered';
        record.status = response.status;
        await response.arrayBuffer();
      } catch {
        record.outcome = 'error';
      }
    }
    this.log.push(record);
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
  }
}
