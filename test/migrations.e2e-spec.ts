import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEFAULT_MIGRATIONS_LOCATION, migrateDatabase, WasmSchemaEngine } from '@fleetgate/persistence';
import { TEST_DATABASE_URL } from './support/gateway-harness';

function urlFor(database: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe('migrations on the WebAssembly schema engine (e2e)', () => {
  const database = `fleetgate_fresh_${randomUUID().slice(0, 8)}`;

  afterAll(async () => {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  });

  it('creates a missing database, applies every migration, and does nothing the second time', async () => {
    const first = await migrateDatabase(urlFor(database));
    expect(first.createdDatabase).toBe(true);
    expect(first.applied.length).toBeGreaterThan(0);

    const tables = await admin(async () => {
      const client = new Client({ connectionString: urlFor(database) });
      await client.connect();
      try {
        const result = await client.query<{ tablename: string }>(
          "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        );
        const applied = await client.query<{ migration_name: string }>(
          'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
        );
        return {
          names: result.rows.map((row) => row.tablename),
          applied: applied.rows.map((row) => row.migration_name),
        };
      } finally {
        await client.end();
      }
    });
    expect(tables.names).toEqual(expect.arrayContaining(['users', 'refresh_tokens', 'api_keys', '_prisma_migrations']));
    expect(tables.applied).toEqual(first.applied);

    const second = await migrateDatabase(urlFor(database));
    expect(second).toEqual({ createdDatabase: false, applied: [] });
  });

  it('finds no drift between schema.prisma and the migrations', async () => {
    const engine = await WasmSchemaEngine.open(urlFor('postgres'), DEFAULT_MIGRATIONS_LOCATION);
    try {
      expect(await engine.pendingSchemaChange()).toBe('');
    } finally {
      await engine.close();
    }
  });

  it('reports drift when schema.prisma changes without a migration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleetgate-drift-'));
    const schemaPath = join(dir, 'schema.prisma');
    await copyFile(DEFAULT_MIGRATIONS_LOCATION.schemaPath, schemaPath);
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(schemaPath, `${schema}\nmodel DriftProbe {\n  id Int @id\n}\n`);
    const engine = await WasmSchemaEngine.open(urlFor('postgres'), {
      schemaPath,
      migrationsDir: DEFAULT_MIGRATIONS_LOCATION.migrationsDir,
    });
    try {
      expect(await engine.pendingSchemaChange()).toContain('CREATE TABLE "DriftProbe"');
    } finally {
      await engine.close();
    }
  });
});
