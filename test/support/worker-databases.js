// Jest's globalSetup: one database per Jest worker, so that suites can run side by side without
// sharing rows, executors or queue state. Each is a copy of TEST_DATABASE_URL's database (which
// `npm run test:all` migrates first); when that database does not exist yet, each worker's starts
// empty and the first gateway a suite boots migrates it (MIGRATE_ON_START). The databases carry this
// run's name (Jest's process id, which the workers inherit): a run never drops another live run's
// databases, only those of runs whose process is gone (a run stopped before its globalTeardown).
const { adminClient, baseTestDatabaseUrl, databaseName, workerDatabaseUrl } = require('./worker-env');

/** Whether a process with this id runs on this machine (EPERM: it does, as another user). */
function running(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The worker databases made from `base` by earlier runs whose process has ended, and by runs before run names. */
async function abandonedDatabases(client, baseName) {
  const { rows } = await client.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
    `${baseName}_`,
  ]);
  return rows
    .map((row) => row.datname)
    .filter((name) => {
      const rest = name.slice(baseName.length);
      if (/^_w\d+$/.test(rest)) return true;
      const match = /^_r(\d+)_w\d+$/.exec(rest);
      return match !== null && !running(Number(match[1]));
    });
}

module.exports = async function createWorkerDatabases(globalConfig) {
  // The workers Jest starts after this inherit the run's name; in band, the suites read it here.
  process.env.FLEETGATE_TEST_RUN = String(process.pid);
  const base = baseTestDatabaseUrl();
  const baseName = databaseName(base);
  const client = adminClient(base);
  await client.connect();
  try {
    for (const name of await abandonedDatabases(client, baseName)) {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [baseName]);
    for (let worker = 1; worker <= Math.max(1, globalConfig.maxWorkers); worker++) {
      const name = databaseName(workerDatabaseUrl(base, worker));
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.query(rowCount ? `CREATE DATABASE "${name}" TEMPLATE "${baseName}"` : `CREATE DATABASE "${name}"`);
    }
  } finally {
    await client.end();
  }
};
