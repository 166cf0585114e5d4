import { loadConfig } from '@fleetgate/config';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fleetgate_test';

/**
 * How many gateways (and workers) each suite runs: 1, or 2 for the scale-out run
 * (`npm run test:scale-out`), where every gateway and worker a suite starts has a twin in an OS
 * process of its own, and a round-robin proxy sits in front of the gateways.
 */
export const E2E_INSTANCES = Number(process.env.E2E_INSTANCES ?? 1);

/**
 * The environment tests run the apps with, in this process or as processes of their own: the test
 * database, quiet logs (TEST_LOG_LEVEL shows them), and the test's own overrides.
 */
export function testEnv(env: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // The simulators and test receivers listen on loopback.
    ALLOW_INTERNAL_URLS: 'true',
    // Suites sign in many users from one address; test/security.e2e-spec.ts tests the limit itself.
    LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
    // Suites post many callbacks from one address; test/webhook-intake.e2e-spec.ts tests the limit itself.
    WEBHOOK_REQUESTS_PER_IP_PER_MINUTE: '10000000',
    ...env,
  };
}

export function testConfig(env: Record<string, string> = {}) {
  return loadConfig(testEnv(env));
}
