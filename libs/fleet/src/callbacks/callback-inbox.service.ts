import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InvalidInputError, RuleViolationError, UnauthenticatedError } from '@fleetgate/domain';
import { jobIdOf, JobProducer } from '@fleetgate/queues';
import { supports, VendorAccountService, VendorError, type VendorEvent, type WebhookProof } from '@fleetgate/vendors';
import { CallbackInboxRepository, type IncomingCallback, type StoredCallback } from './callback-inbox.repository';
import { redeliveryKey } from './redelivery-key';

export interface CallbackReceipt {
  accepted: boolean;
  /** True when this callback was received before (see redeliveryKey): acknowledged, not applied again. */
  duplicate: boolean;
}

/**
 * Callbacks stored per INSERT at most, and INSERTs in flight at once. Callbacks that arrive while an
 * INSERT is in flight gather for the next one, so batches grow with the load by themselves: one
 * callback alone is stored at once, a burst in a few statements. One in flight makes those batches as
 * large as the load allows, and a statement costs PostgreSQL and the gateway about the same whatever
 * its size: against four in flight, `npm run bench:callbacks` stored a callback for 0.034 to 0.041 ms
 * of PostgreSQL CPU instead of 0.049 to 0.067, and took 6,615 to 7,502 a second instead of 4,699 to
 * 6,583 (alternated runs, 2026-12-04), with as much or more at ten connections (`bench:hotpath` (f)).
 * A slower commit only makes the next batch larger, up to MAX_BATCH: a full batch waiting goes beside
 * the INSERT in flight, since waiting would add nothing to it, and one INSERT of 500 at a time would
 * cap ingest at 500 per INSERT time (2,500 a second at 200 ms). But an INSERT can also hang: waiting for a lock on
 * one of its keys (another transaction writing that row) until DATABASE_STATEMENT_TIMEOUT_MS, or on a
 * connection that died silently until TCP gives up; every callback behind it would wait with it. So an
 * INSERT still running after INSERT_STALLED_MS no longer holds the slot: the next batch goes beside it,
 * up to MAX_IN_FLIGHT_STALLED INSERTs (pool connections) in all. Batches of several gateways, or of
 * one, at once insert shared dedupe keys in one order (CallbackInboxRepository.insertBatch), so they
 * cannot deadlock.
 */
const MAX_BATCH = 500;
const MAX_IN_FLIGHT = 1;
const INSERT_STALLED_MS = 1_000;
const MAX_IN_FLIGHT_STALLED = 4;
/**
 * Stored callbacks per apply job at most, and how long the ids of stored callbacks gather before
 * their job is enqueued. One job per INSERT made jobs of a few dozen callbacks under load, and a job
 * costs the gateway a Redis script and the worker its queue commands and a claim, a read of the
 * targets and a mark, whatever its size: gathered for a moment, a burst makes jobs of hundreds.
 * The wait only delays when a worker starts (an acknowledgement waits for the commit alone).
 */
const APPLY_JOB_MAX = 500;
const APPLY_GATHER_MS = 50;

interface PendingCallback {
  row: IncomingCallback;
  resolve: (duplicate: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Vendor callbacks in: each is checked (caller's secret, payload shape), stored under a dedupe key
 * (redeliveryKey: a redelivery is acknowledged, not stored again),
 * and acknowledged once stored; a worker applies it. The stored row is the record of what is owed:
 * the apply job enqueued after the commit only makes the worker start at once, and the worker's
 * callbacks.sweep enqueues whatever such a job did not cover (this process died, Redis was down).
 */
@Injectable()
export class CallbackInbox implements OnModuleDestroy {
  private readonly logger = new Logger(CallbackInbox.name);
  private readonly pending: PendingCallback[] = [];
  /** INSERTs sent and not answered yet, and of those the ones running longer than INSERT_STALLED_MS. */
  private inFlight = 0;
  private stalled = 0;
  private flushQueued = false;
  /** Ids of stored callbacks whose apply job is not enqueued yet, and the timer that enqueues it. */
  private owed: string[] = [];
  private owedTimer?: NodeJS.Timeout;
  /**
   * Set once the module is being destroyed. Nest destroys modules before it closes the HTTP server and
   * closes the queues only after that: what commits meanwhile is enqueued at once, since a gathering
   * timer would fire after the queues closed and leave it to the sweep.
   */
  private stopping = false;

  constructor(
    private readonly inbox: CallbackInboxRepository,
    private readonly accounts: VendorAccountService,
    private readonly producer: JobProducer,
  ) {}

  async receive(
    vendor: string,
    accountId: string,
    proof: WebhookProof,
    headers: Record<string, string | string[] | undefined>,
    body: unknown,
  ): Promise<CallbackReceipt> {
    const verdict = await this.accounts.verifyWebhook(accountId, vendor, proof);
    if (verdict === 'stale') {
      throw new UnauthenticatedError(
        'The callback is signed too far from now (more than 5 minutes); refused as a replay',
      );
    }
    if (verdict !== 'ok') throw new UnauthenticatedError('Unknown account, wrong webhook secret or wrong signature');
    const adapter = await this.accounts.adapterFor(accountId);
    if (!supports(adapter, 'callbacks')) {
      throw new RuleViolationError(`${vendor} sends no callbacks`, [{ field: 'vendor', problem: 'has no callbacks' }]);
    }
    let events: VendorEvent[];
    try {
      // Parsed here to refuse what can never be applied and to tell a redelivery; the worker parses
      // it again to apply it.
      events = adapter.parseCallback({ headers, body });
    } catch (error) {
      if (error instanceof VendorError) {
        throw new InvalidInputError(`Not a ${vendor} callback: ${error.vendorMessage}`, [
          { field: 'body', problem: error.vendorMessage },
        ]);
      }
      throw error;
    }
    const dedupeKey = redeliveryKey(body, events);
    const duplicate = await this.store({ vendor, accountId, dedupeKey, payload: body });
    return { accepted: true, duplicate };
  }

  /**
   * Group commit: callbacks arriving together are stored by one INSERT statement (duplicates skipped
   * by the dedupe key), and each caller is answered once it has committed, so an acknowledged
   * callback is never lost. One statement, not a transaction with an outbox row: at thousands of
   * callbacks a second the per-statement cost of the client is what limits ingest.
   */
  private store(row: PendingCallback['row']): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      this.flushSoon();
    });
  }

  /**
   * Whether another INSERT may start: none in flight but stalled ones, or a full batch waiting (it
   * would gather nothing more by waiting), and never more than MAX_IN_FLIGHT_STALLED in all.
   */
  private slotFree(): boolean {
    if (this.inFlight >= MAX_IN_FLIGHT_STALLED) return false;
    return this.inFlight - this.stalled < MAX_IN_FLIGHT || this.pending.length >= MAX_BATCH;
  }

  /** Flushes once the callbacks of this turn of the event loop have joined, if an INSERT slot is free. */
  private flushSoon(): void {
    if (this.flushQueued || !this.slotFree() || this.pending.length === 0) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      if (!this.slotFree() || this.pending.length === 0) return;
      this.inFlight++;
      let stalled = false;
      const stallTimer = setTimeout(() => {
        stalled = true;
        this.stalled++;
        this.flushSoon();
      }, INSERT_STALLED_MS);
      void this.flush(this.pending.splice(0, MAX_BATCH)).finally(() => {
        clearTimeout(stallTimer);
        this.inFlight--;
        if (stalled) this.stalled--;
        this.flushSoon();
      });
      this.flushSoon();
    });
  }

  private async flush(batch: PendingCallback[]): Promise<void> {
    let rows: StoredCallback[];
    try {
      rows = await this.inbox.insertBatch(batch.map((item) => item.row));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    // The first of equal callbacks in a batch is the one stored; the rest are duplicates.
    const inserted = new Set(rows.map((row) => `${row.account_id}/${row.dedupe_key}`));
    for (const item of batch) item.resolve(!inserted.delete(`${item.row.accountId}/${item.row.dedupeKey}`));
    if (rows.length === 0) return;
    for (const row of rows) this.owed.push(row.id);
    if (this.stopping || this.owed.length >= APPLY_JOB_MAX) void this.enqueueOwed();
    else this.owedTimer ??= setTimeout(() => void this.enqueueOwed(), APPLY_GATHER_MS);
  }

  /**
   * Enqueues what gathered, so that a worker applies it now rather than at the next sweep. Not awaited:
   * the queues' connection never gives up on a command, so while Redis is away the shutdown would wait
   * for it forever. The adds are sent before the queues close (after the HTTP server); one still
   * waiting for Redis then is left to callbacks.sweep, as the rows stay owed.
   */
  onModuleDestroy(): void {
    this.stopping = true;
    void this.enqueueOwed();
  }

  /** Enqueues apply jobs for the gathered ids; a job that fails to enqueue is left to callbacks.sweep. */
  private async enqueueOwed(): Promise<void> {
    clearTimeout(this.owedTimer);
    this.owedTimer = undefined;
    const enqueued: Array<Promise<unknown>> = [];
    while (this.owed.length > 0) {
      const inboxIds = this.owed.splice(0, APPLY_JOB_MAX);
      enqueued.push(
        this.producer
          .enqueue('callbacks.apply', { inboxIds }, { jobId: jobIdOf('callbacks.apply', inboxIds[0]) })
          .catch((error: unknown) =>
            this.logger.warn({ err: error, callbacks: inboxIds.length }, 'apply job not enqueued; callbacks.sweep will'),
          ),
      );
    }
    await Promise.all(enqueued);
  }
}
