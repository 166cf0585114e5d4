import { PREPARED_STATEMENTS_MAX, PrismaService } from '@fleetgate/persistence';
import { Client } from 'pg';
import { TEST_DATABASE_URL, testConfig } from './support/test-env';
import { until } from './support/until';

/** How many statements containing `marker` PostgreSQL is running now, seen from a connection of its own. */
async function runningStatements(marker: string): Promise<number> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`,
      [marker],
    );
    return rows[0].count;
  } finally {
    await client.end();
  }
}

/** The pool each process keeps to PostgreSQL is sized and bounded by the validated configuration. */
describe('the PostgreSQL pool (e2e, real PostgreSQL)', () => {
  const clients: PrismaService[] = [];
  function prismaWith(env: Record<string, string>): PrismaService {
    const prisma = new PrismaService(testConfig(env));
    clients.push(prisma);
    return prisma;
  }

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
  });

  it('opens no more connections than DATABASE_POOL_SIZE, however many queries run at once', async () => {
    const prisma = prismaWith({ DATABASE_POOL_SIZE: '2' });
    const rows = await Promise.all(
      Array.from(
        { length: 6 },
        () => prisma.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid, pg_sleep(0.2)::text`,
      ),
    );
    const backends = new Set(rows.map(([row]) => row.pid));
    expect(backends.size).toBeLessThanOrEqual(2);
  });

  it('turns on TCP keepalive on its connections, so that a statement on a connection that died silently fails', async () => {
    // PostgreSQL's statement timeout is the server's: on a connection whose server went away without a
    // word (a failover, a partition), a statement already sent and acknowledged waits for an answer
    // with nothing left to send, so TCP never gives up on it without keepalive, and it holds its pool
    // connection (and one of the callback inbox's four INSERT slots) for the life of the process.
    const prisma = prismaWith({});
    await prisma.sql('SELECT 1 AS one', []);
    const pool = (prisma as unknown as { pool: { connect(): Promise<{ connection: { _keepAlive?: boolean }; release(): void }> } }).pool;
    const client = await pool.connect();
    try {
      expect(client.connection._keepAlive).toBe(true);
    } finally {
      client.release();
    }
  });

  it('lets PostgreSQL cancel a statement that runs past DATABASE_STATEMENT_TIMEOUT_MS', async () => {
    const prisma = prismaWith({ DATABASE_STATEMENT_TIMEOUT_MS: '1000' });
    await expect(prisma.$queryRaw`SELECT pg_sleep(3)::text`).rejects.toThrow(/statement timeout/);
    // The connection stays usable for the next statement.
    await expect(prisma.$queryRaw`SELECT 1 AS one`).resolves.toEqual([{ one: 1 }]);
  });

  it('fails a query that waits for a connection longer than DATABASE_CONNECT_TIMEOUT_MS', async () => {
    const prisma = prismaWith({ DATABASE_POOL_SIZE: '1', DATABASE_CONNECT_TIMEOUT_MS: '200' });
    // The one connection is opened first, so that on a loaded machine the holder below does not itself
    // wait 200 ms for PostgreSQL to accept it.
    await prisma.$queryRaw`SELECT 1 AS one`;
    // A Prisma query starts when it is awaited or then'd: this one holds the only connection.
    const marker = `pool-holder-${process.pid}-${Date.now()}`;
    const holder = prisma.$queryRawUnsafe(`SELECT pg_sleep(3)::text AS "${marker}"`).then(() => undefined);
    await until(
      () => runningStatements(marker),
      (count) => count > 0,
      'the holder running in PostgreSQL',
    );
    await expect(prisma.$queryRaw`SELECT 1 AS one`).rejects.toThrow(/timeout/i);
    await holder;
  });

  it('holds PrismaService.sql() to the same pool: DATABASE_POOL_SIZE connections with Prisma’s own, and the statement timeout', async () => {
    const prisma = prismaWith({ DATABASE_POOL_SIZE: '2', DATABASE_STATEMENT_TIMEOUT_MS: '1000' });
    const statement = 'SELECT pg_backend_pid() AS pid, pg_sleep(0.2)::text';
    const rows = await Promise.all([
      ...Array.from({ length: 4 }, () => prisma.sql<{ pid: number }>(statement, [])),
      ...Array.from({ length: 4 }, () => prisma.$queryRawUnsafe<Array<{ pid: number }>>(statement)),
    ]);
    expect(new Set(rows.map(([row]) => row.pid)).size).toBeLessThanOrEqual(2);
    await expect(prisma.sql('SELECT pg_sleep(3)::text', [])).rejects.toThrow(/statement timeout/);
    await expect(prisma.sql('SELECT 1 AS one', [])).resolves.toEqual([{ one: 1 }]);
  });

  it('runs PrismaService.sql() in the transaction it is given, not on a connection of its own', async () => {
    const prisma = prismaWith({});
    const rolledBack = new Error('roll back');
    let seen: Array<{ sid: string }> = [];
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SELECT set_config('fleetgate.probe', 'in-tx', true)`);
        seen = await prisma.sql<{ sid: string }>(`SELECT current_setting('fleetgate.probe', true) AS sid`, [], tx);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    // The setting is local to the transaction: only a statement run in it sees it.
    expect(seen).toEqual([{ sid: 'in-tx' }]);
    const after = await prisma.sql<{ sid: string | null }>(
      `SELECT current_setting('fleetgate.probe', true) AS sid`,
      [],
    );
    expect(after[0].sid === null || after[0].sid === '').toBe(true);
  });

  it('answers PrismaService.sql() while $disconnect waits for a statement still running on the pool (shutdown)', async () => {
    const prisma = prismaWith({});
    await prisma.sql('SELECT 1 AS one', []);
    // A statement in flight keeps the pool ending, not ended, until it returns: the window a gateway
    // shutting down under load is in, with requests still arriving.
    const marker = `disconnect-holder-${process.pid}-${Date.now()}`;
    const holder = prisma.sql(`SELECT pg_sleep(2)::text AS "${marker}"`, []);
    await until(
      () => runningStatements(marker),
      (count) => count > 0,
      'the holder running in PostgreSQL',
    );
    const disconnecting = prisma.$disconnect();
    // The pool is private to PrismaService: read here only to send the next statement inside the window.
    const pool = (prisma as unknown as { pool: { ending: boolean; ended: boolean } }).pool;
    await until(
      async () => pool.ending,
      (ending) => ending,
      'Prisma ending the pool',
    );
    expect(pool.ended).toBe(false);
    await expect(prisma.sql('SELECT 1 AS one', [])).resolves.toEqual([{ one: 1 }]);
    await holder;
    await disconnecting;
    await expect(prisma.sql('SELECT 2 AS two', [])).resolves.toEqual([{ two: 2 }]);
  });

  /** The statements prepared on the connection this reads them from, and how often each ran. */
  async function preparedOn(prisma: PrismaService): Promise<Array<{ statement: string; runs: number }>> {
    return prisma.sql<{ statement: string; runs: number }>(
      `SELECT statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE NOT from_sql`,
      [],
    );
  }

  it('prepares each statement PrismaService.sql() sends once per connection, and runs it again from there', async () => {
    // One connection, so that every statement below meets the same prepared ones.
    const prisma = prismaWith({ DATABASE_POOL_SIZE: '1' });
    const text = 'SELECT $1::int + 1 AS next';
    await expect(prisma.sql(text, [1])).resolves.toEqual([{ next: 2 }]);
    await expect(prisma.sql(text, [41])).resolves.toEqual([{ next: 42 }]);
    const prepared = (await preparedOn(prisma)).filter((row) => row.statement === text);
    expect(prepared).toEqual([{ statement: text, runs: 2 }]);
  });

  it('answers a prepared statement again after a migration changed the type of what it reads', async () => {
    const prisma = prismaWith({ DATABASE_POOL_SIZE: '1' });
    const table = `prepared_shape_${process.pid}_${Date.now()}`;
    await prisma.$executeRawUnsafe(`CREATE TABLE ${table} (reading int)`);
    try {
      await prisma.$executeRawUnsafe(`INSERT INTO ${table} VALUES (7)`);
      const text = `SELECT reading FROM ${table} WHERE reading IS NOT NULL OR $1::int IS NULL`;
      await expect(prisma.sql(text, [1])).resolves.toEqual([{ reading: 7 }]);
      // PostgreSQL refuses to run the prepared plan once its result type changed
      // ("cached plan must not change result type"), as after a deploy's migration.
      await prisma.$executeRawUnsafe(`ALTER TABLE ${table} ALTER COLUMN reading TYPE text`);
      await expect(prisma.sql(text, [1])).resolves.toEqual([{ reading: '7' }]);
      await expect(prisma.sql(text, [1])).resolves.toEqual([{ reading: '7' }]);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TABLE ${table}`);
    }
  });

  it('answers a prepared statement again after a migration changed the type of a column it compares a parameter with', async () => {
    const prisma = prismaWith({ DATABASE_POOL_SIZE: '1' });
    const suffix = `${process.pid}_${Date.now()}`;
    const table = `prepared_param_${suffix}`;
    await prisma.$executeRawUnsafe(`CREATE TABLE ${table} (state text)`);
    try {
      await prisma.$executeRawUnsafe(`INSERT INTO ${table} VALUES ('online')`);
      const text = `SELECT count(*)::int AS matching FROM ${table} WHERE state = $1`;
      await expect(prisma.sql(text, ['online'])).resolves.toEqual([{ matching: 1 }]);
      // The prepared statement keeps the type its parameter was given when it was parsed (text), and
      // PostgreSQL has no enum = text operator; sent unprepared, the parameter takes the enum type.
      await prisma.$executeRawUnsafe(`CREATE TYPE ${table}_state AS ENUM ('online', 'offline')`);
      await prisma.$executeRawUnsafe(
        `ALTER TABLE ${table} ALTER COLUMN state TYPE ${table}_state USING state::${table}_state`,
      );
      await expect(prisma.sql(text, ['online'])).resolves.toEqual([{ matching: 1 }]);
      await expect(prisma.sql(text, ['offline'])).resolves.toEqual([{ matching: 0 }]);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TABLE ${table}`);
      await prisma.$executeRawUnsafe(`DROP TYPE IF EXISTS ${table}_state`);
    }
  });

  it('answers a prepared statement again when the connection no longer holds it (a pooler, DISCARD ALL)', async () => {
    const prisma = prismaWith({ DATABASE_POOL_SIZE: '1' });
    const text = 'SELECT $1::int * 2 AS doubled';
    await expect(prisma.sql(text, [2])).resolves.toEqual([{ doubled: 4 }]);
    // What PgBouncer's transaction pooling (or a reset query) does to a server session behind the
    // driver's back: the driver still believes the statement parsed there.
    await prisma.$executeRawUnsafe('DEALLOCATE ALL');
    await expect(prisma.sql(text, [3])).resolves.toEqual([{ doubled: 6 }]);
    await expect(prisma.sql(text, [4])).resolves.toEqual([{ doubled: 8 }]);
  });

  it('prepares no more than PREPARED_STATEMENTS_MAX statements a process sends, however many texts it sends', async () => {
    const prisma = prismaWith({ DATABASE_POOL_SIZE: '1' });
    for (let shape = 0; shape < PREPARED_STATEMENTS_MAX + 20; shape++) {
      await expect(prisma.sql(`SELECT $1::int + ${shape} AS shaped`, [0])).resolves.toEqual([{ shaped: shape }]);
    }
    const prepared = await preparedOn(prisma);
    expect(prepared.length).toBeGreaterThan(0);
    expect(prepared.length).toBeLessThanOrEqual(PREPARED_STATEMENTS_MAX);
  });
});
