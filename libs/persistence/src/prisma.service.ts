import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolConfig } from 'pg';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaClient } from './generated/prisma/client';

/**
 * The one Prisma client of a process, on the node-postgres driver adapter. Connects lazily. Its pool
 * is bounded by the configuration: so many connections, a wait for one that fails rather than hangs,
 * and statements PostgreSQL cancels when they run too long, so that no query holds a connection forever.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly poolConfig: PoolConfig;
  /** The pool given to Prisma's adapter, which ends it on $disconnect(). */
  private readonly prismaPool: Pool;
  private sqlPool: Pool;

  constructor(config: FleetgateConfig) {
    const poolConfig: PoolConfig = {
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
      // A transaction left open by a process that stopped talking gives its locks back.
      idle_in_transaction_session_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
    };
    const pool = new Pool(poolConfig);
    // $disconnect() ends the pool as it did when the adapter made its own; Prisma reconnects with a new one.
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    this.poolConfig = poolConfig;
    this.prismaPool = pool;
    this.sqlPool = pool;
  }

  /**
   * The pool Prisma's adapter draws on, for the few statements of the hottest paths that a repository
   * sends as plain SQL (Prisma's client costs more CPU per statement than the statement itself): one
   * pool, so the configured bounds hold for both. Once Prisma has let it go ($disconnect), a pool of
   * the same configuration takes its place.
   */
  get pool(): Pool {
    if (this.sqlPool.ended) this.sqlPool = new Pool(this.poolConfig);
    return this.sqlPool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    // Prisma's own is Prisma's to end (it may reconnect for rows written during shutdown).
    if (this.sqlPool !== this.prismaPool && !this.sqlPool.ended) await this.sqlPool.end();
  }
}
