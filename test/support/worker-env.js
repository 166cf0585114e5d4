// Which database and Redis prefix a Jest worker's suites use: the worker's own (worker-databases.js
// makes the databases), named after the configured ones with the worker's number.
const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/fleetgate_test';

function baseTestDatabaseUrl() {
  return process.env.FLEETGATE_BASE_TEST_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
}

function workerDatabaseUrl(base, worker) {
  const url = new URL(base);
  url.pathname = `${url.pathname}_w${worker}`;
  return url.toString();
}

module.exports = { baseTestDatabaseUrl, workerDatabaseUrl, DEFAULT_TEST_DATABASE_URL };
