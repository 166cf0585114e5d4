"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.migrationAdapterFactory = migrationAdapterFactory;
const node_crypto_1 = require("node:crypto");
const adapter_pg_1 = require("@prisma/adapter-pg");
const driver_adapter_utils_1 = require("@prisma/driver-adapter-utils");
const pg_1 = __importDefault(require("pg"));
// PostgreSQL's one-byte internal type "char" (oid 18) fills pg_catalog (relkind, contype, ...), which
// the schema engine reads to describe a database. The pg adapter has no mapping for it and refuses
// those queries. So the migration connection hides the oid from the adapter (as text, oid 25), notes
// which columns they were against the result's rows array (the adapter hands that same array back),
// and the queryable then reports those columns as the engine's Character type.
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const charColumnsByRows = new WeakMap();
function hideCharColumns(result) {
    const { fields, rows } = (result ?? {});
    const charColumns = [];
    fields?.forEach((field, index) => {
        if (field.dataTypeID !== PG_CHAR_OID)
            return;
        field.dataTypeID = PG_TEXT_OID;
        charColumns.push(index);
    });
    if (rows && charColumns.length)
        charColumnsByRows.set(rows, charColumns);
    return result;
}
function restoreCharColumns(queryable) {
    const queryRaw = queryable.queryRaw.bind(queryable);
    queryable.queryRaw = async (query) => {
        const resultSet = await queryRaw(query);
        for (const index of charColumnsByRows.get(resultSet.rows) ?? []) {
            resultSet.columnTypes[index] = driver_adapter_utils_1.ColumnTypeEnum.Character;
        }
        return resultSet;
    };
    return queryable;
}
function migrationQueryable(adapter) {
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => restoreCharColumns(await startTransaction(isolationLevel));
    return restoreCharColumns(adapter);
}
class IntrospectionFriendlyClient extends pg_1.default.Client {
    query(...args) {
        // pg-pool's own query() passes a callback; the adapter's checked-out clients use the promise form.
        const last = args.length - 1;
        const callback = args[last];
        if (typeof callback === 'function') {
            args[last] = (error, result) => callback(error, error ? result : hideCharColumns(result));
        }
        const result = super.query.apply(this, args);
        if (result && typeof result.then === 'function') {
            return result.then(hideCharColumns);
        }
        return result;
    }
}
function migrationPool(config) {
    return new pg_1.default.Pool({ ...config, max: 2, Client: IntrospectionFriendlyClient });
}
/**
 * The driver-adapter factory the WebAssembly schema engine migrates through. Unlike PrismaPg's own
 * shadow database, ours is dropped only after its pool has closed (`DROP ... WITH (FORCE)` as a
 * backstop), so diffs leave no `prisma_migrate_shadow_db_*` databases behind.
 */
function migrationAdapterFactory(config) {
    const mainPool = migrationPool(config);
    const main = new adapter_pg_1.PrismaPg(mainPool, { disposeExternalPool: true });
    return {
        provider: main.provider,
        adapterName: main.adapterName,
        connect: async () => migrationQueryable(await main.connect()),
        async connectToShadowDb() {
            const database = `fleetgate_shadow_${(0, node_crypto_1.randomUUID)().replace(/-/g, '')}`;
            const admin = new pg_1.default.Client(config);
            await admin.connect();
            await admin.query(`CREATE DATABASE "${database}"`);
            const shadow = migrationQueryable(await new adapter_pg_1.PrismaPg(migrationPool({ ...config, database }), { disposeExternalPool: true }).connect());
            const disposeShadow = shadow.dispose.bind(shadow);
            shadow.dispose = async () => {
                try {
                    await disposeShadow();
                    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
                }
                finally {
                    await admin.end();
                }
            };
            return shadow;
        },
    };
}
//# sourceMappingURL=migration-adapter-factory.js.map