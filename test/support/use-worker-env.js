// Jest's setupFiles: before each test file, point TEST_DATABASE_URL and REDIS_PREFIX at this worker's
// own database and prefix, so that suites running at the same time in other workers never meet.
const { baseTestDatabaseUrl, workerDatabaseUrl } = require('./worker-env');

const worker = Number(process.env.JEST_WORKER_ID ?? 1);
const base = baseTestDatabaseUrl();
process.env.FLEETGATE_BASE_TEST_DATABASE_URL = base;
process.env.TEST_DATABASE_URL = workerDatabaseUrl(base, worker);
process.env.FLEETGATE_BASE_REDIS_PREFIX ??= process.env.REDIS_PREFIX ?? 'fleetgate';
process.env.REDIS_PREFIX = `${process.env.FLEETGATE_BASE_REDIS_PREFIX}-w${worker}`;
