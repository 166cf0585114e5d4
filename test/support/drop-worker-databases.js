// Jest's globalTeardown: drops the worker databases this run made (worker-databases.js); a run
// stopped before it gets here leaves them to the next run's globalSetup.
const { adminClient, baseTestDatabaseUrl, databaseName, testRun } = require('./worker-env');

module.exports = async function dropWorkerDatabases() {
  const run = testRun();
  if (!run) return;
  const base = baseTestDatabaseUrl();
  const client = adminClient(base);
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
      `${databaseName(base)}_r${run}_w`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
};
