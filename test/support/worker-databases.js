// Jest's globalSetup: one database per Jest worker, so that suites can run side by side without
// sharing rows, executors or queue state. Each is a copy of TEST_DATABASE_URL's database (which
// `npm run test:all` migrates first); when that database does not exist yet, each worker's starts
// empty and the first gateway a suite boots migrates it (MIGRATE_ON_START).
const { Client } = require('pg');
const { workerDatabaseUrl, baseTestDatabaseUrl } = require('./worker-env');

module.exports = async function createWorkerDatabases(globalConfig) {
  const base = new URL(baseTestDatabaseUrl());
  const baseName = decodeURIComponent(base.pathname.slice(1));
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [baseName]);
    for (let worker = 1; worker <= Math.max(1, globalConfig.maxWorkers); worker++) {
      const name = decodeURIComponent(new URL(workerDatabaseUrl(base.toString(), worker)).pathname.slice(1));
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.query(rowCount ? `CREATE DATABASE "${name}" TEMPLATE "${baseName}"` : `CREATE DATABASE "${name}"`);
    }
  } finally {
    await client.end();
  }
};
