import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '@fleetgate/persistence';
import { ApiError } from '@fleetgate/platform';
import { jobIdOf, Outbox } from '@fleetgate/queues';
import { supports, VendorAccountService, VendorError, type WebhookProof } from '@fleetgate/vendors';

export interface CallbackReceipt {
  accepted: boolean;
  /** True when this exact callback was received before: acknowledged, not applied again. */
  duplicate: boolean;
}

/**
 * Vendor callbacks in: each is checked (caller's secret, payload shape), stored under a dedupe key
 * with its apply job in one transaction, and acknowledged at once; a worker applies it.
 */
/** Callbacks stored per INSERT at most, and how long the first of a batch waits for company. */
const MAX_BATCH = 500;
const BATCH_WINDOW_MS = 2;

interface PendingCallback {
  row: { vendor: string; accountId: string; dedupeKey: string; payload: unknown };
  resolve: (duplicate: boolean) => void;
  reject: (error: unknown) => void;
}

@Injectable()
export class CallbackInbox {
  private readonly pending: PendingCallback[] = [];
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: VendorAccountService,
    private readonly outbox: Outbox,
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
      throw ApiError.unauthorized('The callback is signed too far from now (more than 5 minutes); refused as a replay');
    }
    if (verdict !== 'ok') throw ApiError.unauthorized('Unknown account, wrong webhook secret or wrong signature');
    const adapter = await this.accounts.adapterFor(accountId);
    if (!supports(adapter, 'callbacks')) {
      throw ApiError.unprocessable(`${vendor} sends no callbacks`, [{ field: 'vendor', problem: 'has no callbacks' }]);
    }
    try {
      // Parsed here only to refuse what can never be applied; the worker parses it again to apply it.
      adapter.parseCallback({ headers, body });
    } catch (error) {
      if (error instanceof VendorError) {
        throw ApiError.invalid(`Not a ${vendor} callback: ${error.vendorMessage}`, [
          { field: 'body', problem: error.vendorMessage },
        ]);
      }
      throw error;
    }
    const dedupeKey = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const duplicate = await this.store({ vendor, accountId, dedupeKey, payload: body });
    return { accepted: true, duplicate };
  }

  /**
   * Group commit: callbacks arriving together are stored by one INSERT (duplicates skipped by the
   * dedupe key) with one apply job for the batch, in one transaction, and each caller is answered
   * once that transaction has committed, so an acknowledged callback is never lost.
   */
  private store(row: PendingCallback['row']): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (this.pending.length >= MAX_BATCH) void this.flush();
      else this.flushTimer ??= setTimeout(() => void this.flush(), BATCH_WINDOW_MS);
    });
  }

  private async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    if (this.pending.length > 0) this.flushTimer = setTimeout(() => void this.flush(), 0);
    try {
      const inserted = await this.prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<Array<{ id: string; account_id: string; dedupe_key: string }>>`
          INSERT INTO callback_inbox (id, vendor, account_id, dedupe_key, payload)
          SELECT gen_random_uuid(), r.vendor, r.account_id::uuid, r.dedupe_key, r.payload::jsonb
          FROM unnest(${batch.map((item) => item.row.vendor)}::text[], ${batch.map((item) => item.row.accountId)}::text[],
                      ${batch.map((item) => item.row.dedupeKey)}::text[],
                      ${batch.map((item) => JSON.stringify(item.row.payload))}::text[])
               WITH ORDINALITY AS r(vendor, account_id, dedupe_key, payload, position)
          ORDER BY r.position
          ON CONFLICT (account_id, dedupe_key) DO NOTHING
          RETURNING id, account_id, dedupe_key`;
        if (rows.length > 0) {
          const inboxIds = rows.map((row) => row.id);
          await this.outbox.stage(tx, 'callbacks.apply', { inboxIds }, jobIdOf('callbacks.apply', inboxIds[0]));
        }
        return new Set(rows.map((row) => `${row.account_id}/${row.dedupe_key}`));
      });
      // The first of equal callbacks in a batch is the one stored; the rest are duplicates.
      for (const item of batch) {
        const key = `${item.row.accountId}/${item.row.dedupeKey}`;
        item.resolve(!inserted.delete(key));
      }
      this.outbox.relaySoon();
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}
