"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_MIGRATIONS_LOCATION = void 0;
exports.ensureDatabaseExists = ensureDatabaseExists;
exports.migrateDatabase = migrateDatabase;
const node_path_1 = require("node:path");
const pg_1 = require("pg");
const wasm_schema_engine_1 = require("./wasm-schema-engine");
// Every process starts from the repository (or image) root, where prisma/ lives, in source and in dist.
exports.DEFAULT_MIGRATIONS_LOCATION = {
    schemaPath: (0, node_path_1.resolve)(process.cwd(), 'prisma/schema.prisma'),
    migrationsDir: (0, node_path_1.resolve)(process.cwd(), 'prisma/migrations'),
};
/** Creates the database named in the URL when it is missing, connecting to `postgres` to do so. */
async function ensureDatabaseExists(databaseUrl) {
    const url = new URL(databaseUrl);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!database)
        throw new Error('DATABASE_URL names no database');
    url.pathname = '/postgres';
    const admin = new pg_1.Client({ connectionString: url.toString() });
    await admin.connect();
    try {
        const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (found.rowCount)
            return false;
        try {
            await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
        }
        catch (error) {
            // Another process created it between our check and our CREATE: that is what we wanted.
            if (error.code !== '42P04')
                throw error;
            return false;
        }
        return true;
    }
    finally {
        await admin.end();
    }
}
/** `npm run db:migrate` and the gateway's start-up both come here; running it twice is harmless. */
async function migrateDatabase(databaseUrl, location = exports.DEFAULT_MIGRATIONS_LOCATION) {
    const createdDatabase = await ensureDatabaseExists(databaseUrl);
    const engine = await wasm_schema_engine_1.WasmSchemaEngine.open(databaseUrl, location);
    try {
        return { createdDatabase, applied: await engine.applyMigrations() };
    }
    finally {
        engine.close();
    }
}
//# sourceMappingURL=database-migrator.js.map