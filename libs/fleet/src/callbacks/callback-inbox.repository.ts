import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '@fleetgate/persistence';

/** A vendor callback to store: the dedupe key tells a redelivery. */
export interface IncomingCallback {
  vendor: string;
  accountId: string;
  dedupeKey: string;
  payload: unknown;
}

/** A stored callback as one insert stored it. */
export interface StoredCallback {
  id: string;
  account_id: string;
  dedupe_key: string;
}

/** A callback an apply job holds for a while (its lease). */
export interface ClaimedCallback {
  id: string;
  account_id: string;
  payload: unknown;
  received_at: Date;
}

/** A callback whose apply failed: its error, and whether that was its last attempt (dead-lettered). */
export interface FailedCallback {
  id: string;
  error: string;
  dead: boolean;
}

/**
 * The `callback_inbox` table: vendor callbacks stored on receipt and applied by the worker. Callbacks
 * belong to vendor accounts, not to data scopes. Statements are few and set-based: intake is the
 * hottest path of the gateway.
 */
@Injectable()
export class CallbackInboxRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores callbacks in one statement, skipping those whose dedupe key is stored already (the first of
   * equal callbacks in the batch is the one stored). Answers those stored. Rows go in in key order, so
   * that two batches in flight at once that share keys wait for each other rather than deadlock.
   * Sent as plain SQL on Prisma's pool: this is the statement of every callback received.
   */
  async insertBatch(callbacks: IncomingCallback[]): Promise<StoredCallback[]> {
    const vendors: string[] = [];
    const accountIds: string[] = [];
    const dedupeKeys: string[] = [];
    const payloads: string[] = [];
    for (const item of callbacks) {
      vendors.push(item.vendor);
      accountIds.push(item.accountId);
      dedupeKeys.push(item.dedupeKey);
      payloads.push(JSON.stringify(item.payload));
    }
    return this.prisma.sql<StoredCallback>(
      `INSERT INTO callback_inbox (id, vendor, account_id, dedupe_key, payload)
       SELECT gen_random_uuid(), r.vendor, r.account_id::uuid, r.dedupe_key, r.payload::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
            WITH ORDINALITY AS r(vendor, account_id, dedupe_key, payload, position)
       ORDER BY r.account_id, r.dedupe_key, r.position
       ON CONFLICT (account_id, dedupe_key) DO NOTHING
       RETURNING id, account_id::text, dedupe_key`,
      [vendors, accountIds, dedupeKeys, payloads],
    );
  }

  /**
   * Claims for `seconds` those of the callbacks still owed and not claimed by a live lease; answers
   * those claimed, in no particular order.
   */
  claim(ids: string[], seconds: number, db: Db = this.prisma): Promise<ClaimedCallback[]> {
    // Joined by id, not `id = ANY(...)`: that form lets the planner combine the pkey with the partial
    // index of unapplied callbacks, whose dead entries (until vacuum) made each claim scan thousands.
    return this.prisma.sql<ClaimedCallback>(
      `UPDATE callback_inbox SET claimed_until = now() + make_interval(secs => $2)
       FROM unnest($1::uuid[]) AS wanted(id)
       WHERE callback_inbox.id = wanted.id AND applied_at IS NULL AND dead_lettered_at IS NULL
         AND (claimed_until IS NULL OR claimed_until < now())
       RETURNING callback_inbox.id, account_id::text, payload, received_at`,
      [ids, seconds],
      db,
    );
  }

  /** Marks callbacks applied, each with the number of events it held, and lets their lease go. */
  async markApplied(applied: Array<{ id: string; events: number }>, db: Db = this.prisma): Promise<void> {
    await this.prisma.sql(
      `UPDATE callback_inbox SET applied_at = now(), claimed_until = NULL, events = applied.events
       FROM unnest($1::uuid[], $2::int[]) AS applied(id, events)
       WHERE callback_inbox.id = applied.id`,
      [applied.map((row) => row.id), applied.map((row) => row.events)],
      db,
    );
  }

  /** Lets the callbacks' lease go, counting no attempt. */
  async release(ids: string[], db: Db = this.prisma): Promise<void> {
    await this.prisma.sql(`UPDATE callback_inbox SET claimed_until = NULL WHERE id = ANY($1::uuid[])`, [ids], db);
  }

  /**
   * Lets failed callbacks go with their error and one more attempt counted; those reaching
   * `maxAttempts` are dead-lettered.
   */
  recordFailures(
    failed: Array<{ id: string; error: string }>,
    maxAttempts: number,
    db: Db = this.prisma,
  ): Promise<FailedCallback[]> {
    return this.prisma.sql<FailedCallback>(
      `UPDATE callback_inbox SET claimed_until = NULL, attempts = attempts + 1, error = failed.error,
         dead_lettered_at = CASE WHEN attempts + 1 >= $3 THEN now() END
       FROM unnest($1::uuid[], $2::text[]) AS failed(id, error)
       WHERE callback_inbox.id = failed.id
       RETURNING callback_inbox.id, callback_inbox.error, callback_inbox.dead_lettered_at IS NOT NULL AS dead`,
      [failed.map((row) => row.id), failed.map((row) => row.error), maxAttempts],
      db,
    );
  }

  /** Callbacks received no later than `receivedBy` and still owed, oldest first, `limit` at most. */
  async unappliedIds(receivedBy: Date, limit: number, db: Db = this.prisma): Promise<string[]> {
    const unapplied = await db.callbackInbox.findMany({
      where: { appliedAt: null, deadLetteredAt: null, receivedAt: { lte: receivedBy } },
      select: { id: true },
      orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return unapplied.map((row) => row.id);
  }

  /** Deletes up to `limit` applied callbacks received before `cutoff`; answers how many. */
  deleteAppliedBefore(cutoff: Date, limit: number, db: Db = this.prisma): Promise<number> {
    return db.$executeRaw`
        DELETE FROM callback_inbox WHERE id IN (
          SELECT id FROM callback_inbox
          WHERE received_at < ${cutoff} AND applied_at IS NOT NULL
          LIMIT ${limit})`;
  }

  countDeadLettered(db: Db = this.prisma): Promise<number> {
    return db.callbackInbox.count({ where: { deadLetteredAt: { not: null } } });
  }
}
