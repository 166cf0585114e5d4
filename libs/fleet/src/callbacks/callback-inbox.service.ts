import { Injectable, Logger } from '@nestjs/common';
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
 * Callbacks stored per INSERT at most, and INSERTs in flight at once. Callbacks that arrive while the
 * INSERTs are in flight gather for the next one, so batches grow with the load by themselves: one
 * callback alone is stored at once, a burst in a few statements. More than one in flight lets
 * PostgreSQL flush several commits to the WAL together instead of each batch waiting for the one before
 * (`npm run bench:callbacks`: 2,167 to 2,444 accepted/s at load 4); batches that share dedupe keys
 * insert them in one order (CallbackInboxRepository.insertBatch), so they cannot deadlock.
 */
const MAX_BATCH = 500;
const MAX_IN_FLIGHT = 4;

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
export class CallbackInbox {
  private readonly logger = new Logger(CallbackInbox.name);
  private readonly pending: PendingCallback[] = [];
  private inFlight = 0;
  private flushQueued = false;

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

  /** Flushes once the callbacks of this turn of the event loop have joined, if an INSERT slot is free. */
  private flushSoon(): void {
    if (this.flushQueued || this.inFlight >= MAX_IN_FLIGHT || this.pending.length === 0) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      if (this.inFlight >= MAX_IN_FLIGHT || this.pending.length === 0) return;
      this.inFlight++;
      void this.flush(this.pending.splice(0, MAX_BATCH)).finally(() => {
        this.inFlight--;
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
    const inboxIds = rows.map((row) => row.id);
    void this.producer
      .enqueue('callbacks.apply', { inboxIds }, { jobId: jobIdOf('callbacks.apply', inboxIds[0]) })
      .catch((error: unknown) =>
        this.logger.warn({ err: error, callbacks: inboxIds.length }, 'apply job not enqueued; callbacks.sweep will'),
      );
  }
}
