import { resolve } from 'node:path';
import { Client } from 'pg';
import { WasmSchemaEngine, type MigrationsLocation } from './wasm-schema-engine';

// Every process starts from the repository (or image) root, where prisma/ lives, in source and in dist.
export const DEFAULT_MIGRATIONS_LOCATION: MigrationsLocation = {
  schemaPath: resolve(process.cwd(), 'prisma/schema.prisma'),
  migrationsDir: resolve(process.cwd(), 'prisma/migrations'),
};

/** Creates the database named in the URL when it is missing, connecting to `postgres` to do so. */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } catch (error) {
      // Another process created it between our check and our CREATE: that is what we wanted.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return false;
    }
    return true;
  } finally {
    await admin.end();
  }
}

export interface MigrationReport {
  createdDatabase: boolean;
  applied: string[];
}

/** `npm run db:migrate` and the gateway's start-up both come here; running it twice is harmless. */
export async function migrateDatabase(
  databaseUrl: string,
  location: MigrationsLocation = DEFAULT_MIGRATIONS_LOCATION,
): Promise<MigrationReport> {
  const createdDatabase = await ensureDatabaseExists(databaseUrl);
  const engine = await WasmSchemaEngine.open(databaseUrl, location);
  try {
    return { createdDatabase, applied: await engine.applyMigrations() };
  } finally {
    await engine.close();
  }
}
