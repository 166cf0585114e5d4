import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';

// PostgreSQL's one-byte internal type "char" (oid 18) fills pg_catalog (relkind, contype, ...), which
// the schema engine reads to describe a database. The pg adapter has no mapping for it and refuses
// those queries. So the migration connection hides the oid from the adapter (as text, oid 25), notes
// which columns they were against the result's rows array (the adapter hands that same array back),
// and the queryable then reports those columns as the engine's Character type.
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const charColumnsByRows = new WeakMap<object, number[]>();

function hideCharColumns<T>(result: T): T {
  const { fields, rows } = (result ?? {}) as { fields?: { dataTypeID: number }[]; rows?: object };
  const charColumns: number[] = [];
  fields?.forEach((field, index) => {
    if (field.dataTypeID !== PG_CHAR_OID) return;
    field.dataTypeID = PG_TEXT_OID;
    charColumns.push(index);
  });
  if (rows && charColumns.length) charColumnsByRows.set(rows, charColumns);
  return result;
}

function restoreCharColumns<Q extends Pick<SqlQueryable, 'queryRaw'>>(queryable: Q): Q {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const index of charColumnsByRows.get(resultSet.rows) ?? []) {
      resultSet.columnTypes[index] = ColumnTypeEnum.Character;
    }
    return resultSet;
  };
  return queryable;
}

function migrationQueryable(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => restoreCharColumns(await startTransaction(isolationLevel));
  return restoreCharColumns(adapter);
}

class IntrospectionFriendlyClient extends pg.Client {
  override query(...args: unknown[]): never {
    // pg-pool's own query() passes a callback; the adapter's checked-out clients use the promise form.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) => callback(error, error ? result : hideCharColumns(result));
    }
    const result = (super.query as (...a: unknown[]) => unknown).apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      return (result as Promise<unknown>).then(hideCharColumns) as never;
    }
    return result as never;
  }
}

// One connection: the engine takes a session-level advisory lock, and an unlock sent on another
// pooled connection would leave the lock held until that first connection closed.
function migrationPool(config: pg.PoolConfig): pg.Pool {
  return new pg.Pool({ ...config, max: 1, Client: IntrospectionFriendlyClient });
}

/**
 * The driver-adapter factory the WebAssembly schema engine migrates through. Unlike PrismaPg's own
 * shadow database, ours is dropped only after its pool has closed (`DROP ... WITH (FORCE)` as a
 * backstop), so diffs leave no `prisma_migrate_shadow_db_*` databases behind.
 */
export function migrationAdapterFactory(
  config: pg.PoolConfig,
): SqlMigrationAwareDriverAdapterFactory & { close(): Promise<void> } {
  const mainPool = migrationPool(config);
  const main = new PrismaPg(mainPool, { disposeExternalPool: true });
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    close: () => (mainPool.ended ? Promise.resolve() : mainPool.end()),
    connect: async () => migrationQueryable(await main.connect()),
    async connectToShadowDb() {
      const database = `fleetgate_shadow_${randomUUID().replace(/-/g, '')}`;
      const admin = new pg.Client(config);
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database}"`);
      const shadow = migrationQueryable(
        await new PrismaPg(migrationPool({ ...config, database }), { disposeExternalPool: true }).connect(),
      );
      const disposeShadow = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        try {
          await disposeShadow();
          await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      };
      return shadow;
    },
  };
}
