import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaClient } from './generated/prisma/client';

/**
 * The one Prisma client of a process, on the node-postgres driver adapter. Connects lazily. Its pool
 * is bounded by the configuration: so many connections, a wait for one that fails rather than hangs,
 * and statements PostgreSQL cancels when they run too long, so that no query holds a connection forever.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  /**
   * The pool Prisma's adapter draws on, for the few statements of the hottest paths that a repository
   * sends as plain SQL (Prisma's client costs more CPU per statement than the statement itself). One
   * pool, so the configured bounds hold for both.
   */
  readonly pool: Pool;

  constructor(config: FleetgateConfig) {
    const pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
      // A transaction left open by a process that stopped talking gives its locks back.
      idle_in_transaction_session_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
    });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    if (!this.pool.ended) await this.pool.end();
  }
}
