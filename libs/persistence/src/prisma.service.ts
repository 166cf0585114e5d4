import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { createHash } from 'node:crypto';
import { DatabaseError, Pool, type QueryResultRow } from 'pg';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaClient } from './generated/prisma/client';
import type { Db } from './transactions';

/**
 * Statement texts `PrismaService.sql` prepares, per process; texts past these run unprepared. The hot
 * statements come first and are few (a device read per data scope shape, the device list per filter
 * shape, the callback inbox's four), so the bound only keeps a caller that builds texts from values
 * from filling every connection with plans.
 */
export const PREPARED_STATEMENTS_MAX = 256;

/**
 * Whether PostgreSQL may have refused a prepared statement that it would run sent again unprepared:
 * after a migration it re-analyses the statement's text, but keeps the result type ("cached plan must
 * not change result type", RevalidateCachedQuery) and the parameter types it was parsed with, so a
 * column that became an enum or a uuid is compared with a text parameter ("operator does not exist",
 * class 42). And a session that lost its prepared statements behind the driver's back (PgBouncer's
 * transaction pooling without max_prepared_statements, DISCARD ALL) answers "prepared statement does
 * not exist" (26000): the text then runs unprepared, as it would without the pooler. All are raised
 * before the statement runs, and a statement that failed outside a transaction left nothing behind,
 * so sending it again never repeats an INSERT.
 */
function preparedMayDiffer(error: DatabaseError): boolean {
  return error.routine === 'RevalidateCachedQuery' || error.code === '26000' || (error.code?.startsWith('42') ?? false);
}

/**
 * The one Prisma client of a process, on the node-postgres driver adapter. Connects lazily. Its pool
 * is bounded by the configuration: so many connections, a wait for one that fails rather than hangs,
 * and statements PostgreSQL cancels when they run too long, so that no query holds a connection forever.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  /**
   * The adapter's pg pool, made here so that `sql` can use it too: one pool, one bound. Prisma ends it
   * on `$disconnect` and makes a new one of the same options when a later query reconnects.
   */
  private readonly pool: Pool;
  /** Prisma's adapter takes the pool over (and ends it on `$disconnect`) only once it has connected. */
  private adapterConnected?: Promise<void>;
  /** The name each text is prepared under, or null for a text that runs unprepared from now on. */
  private readonly statementNames = new Map<string, string | null>();

  constructor(config: FleetgateConfig) {
    const pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
      // A transaction left open by a process that stopped talking gives its locks back.
      idle_in_transaction_session_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
      // And a statement sent to a server that went away without a word (a failover, a partition) fails
      // once TCP's probes go unanswered, rather than wait for an answer for the life of the process:
      // the statement timeout is the server's, and with nothing left to send TCP never gives up.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    this.pool = pool;
  }

  /**
   * One parameterised statement ($1, $2, ...) straight through the pg driver, for the few statements
   * on the hottest paths (GET /devices/{id}, GET /devices, the callback inbox's insert, claim and
   * mark), where Prisma's client runtime and query compiler cost several times the query itself
   * (`npm run bench:hotpath`, `bench:callbacks`). Columns come back as pg parses them (uuid and text as
   * strings, timestamptz as Date, jsonb parsed, arrays as arrays), as Prisma's raw queries answer them.
   * Once Prisma is ending the pool (`$disconnect`, which waits for statements still running on it, as
   * at shutdown under load), the statement goes through Prisma, which reconnects: the pool refuses
   * every new statement from the moment its end begins. Given a transaction (`db`), the statement runs
   * in it, through Prisma.
   *
   * On the pool each text is a named prepared statement, parsed once per connection: PostgreSQL then
   * skips parsing and planning it again on every request (`bench:hotpath`, one connection: 0.43 to 0.47
   * of the bare read before, 0.56 to 0.63 after). So `text` must keep values out of it, as parameters.
   * A prepared statement a migration made invalid (its result type, or a column it compares a parameter
   * with, changed type) is refused by PostgreSQL before it runs; it is sent again unprepared, and its
   * text stays unprepared in this process.
   */
  async sql<T extends QueryResultRow>(text: string, values: unknown[], db: Db = this): Promise<T[]> {
    if (db !== this) return db.$queryRawUnsafe<T[]>(text, ...values);
    await (this.adapterConnected ??= this.$connect().catch((error: unknown) => {
      this.adapterConnected = undefined;
      throw error;
    }));
    if (this.pool.ending) return this.$queryRawUnsafe<T[]>(text, ...values);
    const name = this.preparedNameOf(text);
    if (!name) return (await this.pool.query<T>(text, values)).rows;
    try {
      return (await this.pool.query<T>({ name, text, values })).rows;
    } catch (error) {
      if (!(error instanceof DatabaseError && preparedMayDiffer(error))) throw error;
      this.statementNames.set(text, null);
      return (await this.pool.query<T>(text, values)).rows;
    }
  }

  private preparedNameOf(text: string): string | undefined {
    const known = this.statementNames.get(text);
    if (known !== undefined) return known ?? undefined;
    if (this.statementNames.size >= PREPARED_STATEMENTS_MAX) return undefined;
    const name = `fleetgate_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    this.statementNames.set(text, name);
    return name;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
