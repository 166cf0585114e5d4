import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { PoolConfig } from 'pg';
import { migrationAdapterFactory } from './migration-adapter-factory';

/**
 * Prisma's own schema engine, compiled to WebAssembly and driven through the pg driver adapter.
 *
 * Prisma's CLI wants a native schema-engine binary that it downloads at run time, which this
 * project's machines cannot fetch. The WebAssembly build ships inside an npm package and writes the
 * same `_prisma_migrations` table as `prisma migrate deploy`, so the two stay interchangeable.
 */

// @types/node 20 declares no WebAssembly namespace; these are the few members used here.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, unknown>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

// The package is a wasm-bindgen "bundler" build: the glue module expects the bundler to instantiate
// the .wasm file with the glue itself as its import object, so we do that by hand.
interface WasmGlue {
  __wbg_set_wasm(exports: Record<string, unknown>): void;
  SchemaEngine: {
    new: (options: unknown, logCallback: (log: string) => void, adapter: unknown) => Promise<WasmEngine>;
  };
}

interface WasmEngine {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

export interface MigrationsLocation {
  schemaPath: string;
  migrationsDir: string;
}

const NO_FILTER = { externalTables: [], externalEnums: [] };

let gluePromise: Promise<WasmGlue> | undefined;

function loadGlue(): Promise<WasmGlue> {
  gluePromise ??= (async () => {
    const glue = require('@prisma/schema-engine-wasm/schema_engine_bg') as WasmGlue & {
      __wbindgen_start?: () => void;
    };
    const wasmPath = join(
      dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
      'schema_engine_bg.wasm',
    );
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': glue,
    });
    glue.__wbg_set_wasm(instance.exports);
    const start = instance.exports.__wbindgen_start as (() => void) | undefined;
    start?.();
    return glue;
  })();
  return gluePromise;
}

export class WasmSchemaEngine {
  private constructor(
    private readonly engine: WasmEngine,
    private readonly location: MigrationsLocation,
    private readonly closeConnections: () => Promise<void>,
  ) {}

  static async open(databaseUrl: string, location: MigrationsLocation): Promise<WasmSchemaEngine> {
    const glue = await loadGlue();
    const schema = await readFile(location.schemaPath, 'utf8');
    const factory = migrationAdapterFactory(poolConfigFromUrl(databaseUrl));
    const adapter = bindMigrationAwareSqlAdapterFactory(factory);
    const engine = await glue.SchemaEngine.new(
      { datamodels: [[location.schemaPath, schema]] },
      () => undefined,
      adapter,
    );
    return new WasmSchemaEngine(engine, location, () => factory.close());
  }

  /** Applies every migration in the folder that the database has not seen; returns their names. */
  async applyMigrations(): Promise<string[]> {
    const { appliedMigrationNames } = await this.engine.applyMigrations({
      migrationsList: await this.migrationsList(),
      filters: NO_FILTER,
    });
    return appliedMigrationNames;
  }

  /**
   * SQL that takes a database built from the migrations folder to what schema.prisma describes.
   * Empty when they agree. Diffs against an empty starting point when there are no migrations yet.
   */
  async pendingSchemaChange(): Promise<string> {
    const list = await this.migrationsList();
    const schema = await readFile(this.location.schemaPath, 'utf8');
    const result = await this.engine.diff({
      from: list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: this.location.schemaPath, content: schema }] },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    const sql = result.stdout ?? '';
    return result.exitCode === 2 || /\S/.test(stripComments(sql)) ? sql : '';
  }

  async close(): Promise<void> {
    this.engine.free();
    await this.closeConnections();
  }

  private async migrationsList() {
    const baseDir = this.location.migrationsDir;
    const entries = await readdir(baseDir).catch(() => [] as string[]);
    const migrationDirectories = [];
    for (const name of entries.sort()) {
      if (!(await stat(join(baseDir, name))).isDirectory()) continue;
      const file = join(baseDir, name, 'migration.sql');
      const content = await readFile(file, 'utf8').then(
        (value) => ({ tag: 'ok', value }),
        (error: Error) => ({ tag: 'error', value: error.message }),
      );
      migrationDirectories.push({ path: name, migrationFile: { path: 'migration.sql', content } });
    }
    const lockPath = join(baseDir, 'migration_lock.toml');
    const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
    return {
      baseDir,
      lockfile: { path: 'migration_lock.toml', content: lockContent },
      shadowDbInitScript: '',
      migrationDirectories,
    };
  }
}

/** Discrete fields, so that a shadow database can be reached as `{ ...config, database }`. */
export function poolConfigFromUrl(databaseUrl: string): PoolConfig {
  const url = new URL(databaseUrl);
  return {
    host: decodeURIComponent(url.hostname),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
  };
}

function stripComments(sql: string): string {
  return sql.replace(/--.*$/gm, '');
}
