import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const ROOT = join(__dirname, '..');
const SETUP = join(__dirname, 'support', 'worker-databases.js');
const TEARDOWN = join(__dirname, 'support', 'drop-worker-databases.js');
const WORKER_ENV = join(__dirname, 'support', 'worker-env.js');

/** A base test database of this suite's own, never created: each run's worker databases start empty. */
const base = (() => {
  const url = new URL(process.env.FLEETGATE_BASE_TEST_DATABASE_URL ?? process.env.TEST_DATABASE_URL!);
  url.pathname = `${url.pathname}_infra${process.pid}`;
  return url.toString();
})();
const env = { ...process.env, TEST_DATABASE_URL: base, FLEETGATE_BASE_TEST_DATABASE_URL: base, FLEETGATE_TEST_RUN: '' };

/**
 * A Jest run as its own process: its globalSetup, then a connection to its worker's database, as a
 * suite holds one; on a line on stdin, one statement on it, then its globalTeardown.
 */
function startRun(): { child: ChildProcess; lines: string[] } {
  const script = `
    const { Client } = require('pg');
    const { baseTestDatabaseUrl, workerDatabaseUrl } = require(${JSON.stringify(WORKER_ENV)});
    (async () => {
      await require(${JSON.stringify(SETUP)})({ maxWorkers: 1 });
      const client = new Client({ connectionString: workerDatabaseUrl(baseTestDatabaseUrl(), 1) });
      client.on('error', () => undefined);
      await client.connect();
      console.log('ready');
      process.stdin.once('data', async () => {
        try {
          await client.query('SELECT 1');
          console.log('alive');
        } catch (error) {
          console.log('lost: ' + error.message);
        }
        await client.end().catch(() => undefined);
        await require(${JSON.stringify(TEARDOWN)})();
        process.exit(0);
      });
    })();`;
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  return { child, lines };
}

async function waitFor(lines: string[], count: number): Promise<void> {
  // Bounded by the test timeout: each step is a process start and a few statements.
  while (lines.length < count) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function databasesOf(): Promise<string[]> {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const name = decodeURIComponent(new URL(base).pathname.slice(1));
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [name],
    );
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

/** The per-worker test databases of one Jest run are its own: a second run started beside it does not touch them. */
describe('worker databases of concurrent Jest runs (e2e, real PostgreSQL)', () => {
  afterAll(async () => {
    const admin = new URL(base);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    for (const name of await databasesOf()) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  });

  it('a run started while another is under way leaves the other’s databases and connections alone, and each run drops its own', async () => {
    const first = startRun();
    await waitFor(first.lines, 1);
    expect(first.lines).toEqual(['ready']);
    // A second run (another shell running one suite) sets up and tears down in full meanwhile.
    await promisify(execFile)(
      process.execPath,
      ['-e', `require(${JSON.stringify(SETUP)})({ maxWorkers: 2 }).then(() => require(${JSON.stringify(TEARDOWN)})())`],
      { cwd: ROOT, env },
    );
    first.child.stdin!.write('query\n');
    await waitFor(first.lines, 2);
    expect(first.lines[1]).toBe('alive');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(await databasesOf()).toEqual([]);
  });
});
