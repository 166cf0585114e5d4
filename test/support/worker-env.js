// Which database and Redis prefix a Jest worker's suites use: the worker's own (worker-databases.js
// makes the databases), named after the configured ones with the worker's number, and the databases
// with the run's too, so that a second Jest run started beside one (another shell, one suite) makes
// databases of its own rather than dropping the first run's under it.
const { Client } = require('pg');

const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/fleetgate_test';

function baseTestDatabaseUrl() {
  return process.env.FLEETGATE_BASE_TEST_DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/** The Jest run, as globalSetup names it (the process id of Jest's own process). */
function testRun() {
  return process.env.FLEETGATE_TEST_RUN || undefined;
}

function workerDatabaseUrl(base, worker, run = testRun()) {
  const url = new URL(base);
  url.pathname = `${url.pathname}${run ? `_r${run}` : ''}_w${worker}`;
  return url.toString();
}

function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** A client on the server's `postgres` database, to create and drop the worker databases. */
function adminClient(base) {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  return new Client({ connectionString: admin.toString() });
}

module.exports = { adminClient, baseTestDatabaseUrl, databaseName, testRun, workerDatabaseUrl };
