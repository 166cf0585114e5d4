/**
 * The bare twin of Fleetgate's request path for `bench:hotpath`: Fastify and a pg pool doing the same
 * reads and writes with no authentication, validation, scope, logging or queues. It runs as a process
 * of its own, as the gateway does, and prints its port on stdout when it listens.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';

const DEVICE_COLUMNS = 'id, vendor, account_id, vendor_ref, name, status, model, attributes, tags, group_id, last_seen_at';

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  // Writes land in a table of the benchmark's own, shaped like a task and its one target.
  await pool.query(
    `CREATE TABLE IF NOT EXISTS bench_bare_writes (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       kind text NOT NULL,
       dedupe_key text UNIQUE,
       body jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const app = Fastify({ logger: false });

  app.get<{ Params: { id: string } }>('/devices/:id', async (request, reply) => {
    const { rows } = await pool.query(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1`, [request.params.id]);
    if (!rows[0]) return reply.code(404).send({ error: 'not found' });
    return rows[0];
  });

  app.get('/devices', async () => {
    const [page, total] = await Promise.all([
      pool.query(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY vendor, vendor_ref LIMIT 50`),
      pool.query('SELECT count(*)::int AS total FROM devices'),
    ]);
    return { items: page.rows, total: total.rows[0].total };
  });

  // A task for one device: the task row and its target in one transaction.
  app.post('/tasks', async (request, reply) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const task = await client.query(
        `INSERT INTO bench_bare_writes (kind, body) VALUES ('task', $1) RETURNING id`,
        [JSON.stringify(request.body)],
      );
      await client.query(`INSERT INTO bench_bare_writes (kind, body) VALUES ('target', $1)`, [
        JSON.stringify({ taskId: task.rows[0].id }),
      ]);
      await client.query('COMMIT');
      return reply.code(202).send({ id: task.rows[0].id });
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  });

  // A vendor callback: stored once by its key, acknowledged.
  app.post('/callbacks', async (request) => {
    const body = JSON.stringify(request.body);
    const { rowCount } = await pool.query(
      `INSERT INTO bench_bare_writes (kind, dedupe_key, body) VALUES ('callback', md5($1::text), $2::jsonb)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [body, body],
    );
    return { received: true, duplicate: rowCount === 0 };
  });

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(new URL(address).port);
  const stop = async () => {
    await app.close();
    await pool.query('DROP TABLE IF EXISTS bench_bare_writes');
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

void main();
