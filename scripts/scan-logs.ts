/**
 * `npm run test:log-scan`: the e2e suite with every process logging at trace level, then this scan
 * of everything they wrote. It fails when the logs hold a known secret (the demo and test passwords,
 * the demo vendor credentials, the default JWT and sealing keys) or anything shaped like a credential
 * (access tokens, API keys, bearer headers). Usage: node dist/scripts/scan-logs.js <log file>.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '@fleetgate/config';
import { DEMO_CREDENTIALS } from '@fleetgate/simulators';

const file = process.argv[2];
if (!file) throw new Error('usage: scan-logs <log file>');
const logs = readFileSync(file, 'utf8');
const config = loadConfig({});

/** Values the test suites and the demo use as secrets; short ones would match by chance and are left out. */
const knownSecrets: Record<string, string> = {
  'admin password': config.ADMIN_PASSWORD,
  'JWT secret': config.JWT_SECRET,
  'sealing key': config.SECRETS_KEY,
  'artifact link key': config.ARTIFACT_LINK_KEY,
  'test user password': 'matrix-pass-2026',
  'demo operator password': 'fleet-demo-2026',
  'wrong password in tests': 'wrong-but-secret-1',
};
for (const [vendor, credentials] of Object.entries(DEMO_CREDENTIALS)) {
  for (const [field, value] of Object.entries(credentials)) {
    if (value.length >= 10) knownSecrets[`${vendor} ${field}`] = value;
  }
}

const shapes: Record<string, RegExp> = {
  'access token (JWT)': /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{20,}/g,
  'API key': /fgk_[A-Za-z0-9]{6,}_[\w-]{16,}/g,
  'bearer credential': /Bearer [\w.-]{20,}/g,
};

const findings: Array<{ what: string; count: number }> = [];
for (const [what, value] of Object.entries(knownSecrets)) {
  const count = logs.split(value).length - 1;
  if (count > 0) findings.push({ what, count });
}
for (const [what, pattern] of Object.entries(shapes)) {
  const count = logs.match(pattern)?.length ?? 0;
  if (count > 0) findings.push({ what, count });
}

const lines = logs.split('\n').length;
console.log(`scanned ${lines} lines (${(logs.length / 1024 / 1024).toFixed(1)} MiB) of ${file}`);
if (findings.length) {
  console.table(findings);
  process.exit(1);
}
console.log(
  `no secret found (${Object.keys(knownSecrets).length} known values, ${Object.keys(shapes).length} credential shapes)`,
);
