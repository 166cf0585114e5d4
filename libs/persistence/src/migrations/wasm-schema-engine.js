"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.WasmSchemaEngine = void 0;
exports.poolConfigFromUrl = poolConfigFromUrl;
const promises_1 = require("node:fs/promises");
const node_path_1 = require("node:path");
const driver_adapter_utils_1 = require("@prisma/driver-adapter-utils");
const migration_adapter_factory_1 = require("./migration-adapter-factory");
const NO_FILTER = { externalTables: [], externalEnums: [] };
let gluePromise;
function loadGlue() {
    gluePromise ??= (async () => {
        const glue = require('@prisma/schema-engine-wasm/schema_engine_bg');
        const wasmPath = (0, node_path_1.join)((0, node_path_1.dirname)(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
        const { instance } = await WebAssembly.instantiate(await (0, promises_1.readFile)(wasmPath), {
            './schema_engine_bg.js': glue,
        });
        glue.__wbg_set_wasm(instance.exports);
        const start = instance.exports.__wbindgen_start;
        start?.();
        return glue;
    })();
    return gluePromise;
}
class WasmSchemaEngine {
    engine;
    location;
    constructor(engine, location) {
        this.engine = engine;
        this.location = location;
    }
    static async open(databaseUrl, location) {
        const glue = await loadGlue();
        const schema = await (0, promises_1.readFile)(location.schemaPath, 'utf8');
        const adapter = (0, driver_adapter_utils_1.bindMigrationAwareSqlAdapterFactory)((0, migration_adapter_factory_1.migrationAdapterFactory)(poolConfigFromUrl(databaseUrl)));
        const engine = await glue.SchemaEngine.new({ datamodels: [[location.schemaPath, schema]] }, () => undefined, adapter);
        return new WasmSchemaEngine(engine, location);
    }
    /** Applies every migration in the folder that the database has not seen; returns their names. */
    async applyMigrations() {
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
    async pendingSchemaChange() {
        const list = await this.migrationsList();
        const schema = await (0, promises_1.readFile)(this.location.schemaPath, 'utf8');
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
    close() {
        this.engine.free();
    }
    async migrationsList() {
        const baseDir = this.location.migrationsDir;
        const entries = await (0, promises_1.readdir)(baseDir).catch(() => []);
        const migrationDirectories = [];
        for (const name of entries.sort()) {
            if (!(await (0, promises_1.stat)((0, node_path_1.join)(baseDir, name))).isDirectory())
                continue;
            const file = (0, node_path_1.join)(baseDir, name, 'migration.sql');
            const content = await (0, promises_1.readFile)(file, 'utf8').then((value) => ({ tag: 'ok', value }), (error) => ({ tag: 'error', value: error.message }));
            migrationDirectories.push({ path: name, migrationFile: { path: 'migration.sql', content } });
        }
        const lockPath = (0, node_path_1.join)(baseDir, 'migration_lock.toml');
        const lockContent = await (0, promises_1.readFile)(lockPath, 'utf8').catch(() => null);
        return {
            baseDir,
            lockfile: { path: 'migration_lock.toml', content: lockContent },
            shadowDbInitScript: '',
            migrationDirectories,
        };
    }
}
exports.WasmSchemaEngine = WasmSchemaEngine;
/** Discrete fields, so that a shadow database can be reached as `{ ...config, database }`. */
function poolConfigFromUrl(databaseUrl) {
    const url = new URL(databaseUrl);
    return {
        host: decodeURIComponent(url.hostname),
        port: url.port ? Number(url.port) : 5432,
        user: decodeURIComponent(url.username) || undefined,
        password: url.password ? decodeURIComponent(url.password) : undefined,
        database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    };
}
function stripComments(sql) {
    return sql.replace(/--.*$/gm, '');
}
//# sourceMappingURL=wasm-schema-engine.js.map