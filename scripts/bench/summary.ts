/**
 * One table of every benchmark's ratios and rates, from the results `npm run bench` just wrote
 * (bench/results/bench-*.json), printed and saved as bench/results/summary.md and summary.json.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type Row = Record<string, string | number>;

const dir = join(process.cwd(), 'bench', 'results');

async function rowsOf(name: string): Promise<Row[]> {
  try {
    return (JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as { rows: Row[] }).rows;
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const summary: Array<{ benchmark: string; measure: string; value: string | number }> = [];
  const overhead = await rowsOf('bench-overhead');
  for (const row of overhead) {
    summary.push({
      benchmark: 'device read',
      measure: `${row.path} p50 / p95 (ms or ratio)`,
      value: `${row.p50_ms} / ${row.p95_ms}`,
    });
  }
  for (const row of await rowsOf('bench-callbacks')) {
    summary.push({ benchmark: 'callbacks', measure: String(row.measure), value: row.value });
  }
  const fanout = await rowsOf('bench-fanout');
  const smallest = fanout[0];
  for (const row of fanout) {
    const devices = Number(row.devices);
    const growth = smallest ? devices / Number(smallest.devices) : 1;
    summary.push(
      {
        benchmark: `fleet of ${devices}`,
        measure: 'inventory sync, devices per second',
        value: row.sync_devices_per_s,
      },
      { benchmark: `fleet of ${devices}`, measure: 'reboot accepted (POST /tasks to 202), ms', value: row.accepted_ms },
      {
        benchmark: `fleet of ${devices}`,
        measure: 'accepted / bare INSERT ... SELECT of the same targets (ratio)',
        value: row.accepted_vs_bare ?? 'n/a',
      },
      { benchmark: `fleet of ${devices}`, measure: 'gateway peak resident memory (VmHWM)', value: row.gateway_peak_rss ?? 'n/a' },
      {
        benchmark: `fleet of ${devices}`,
        measure: `accepted time x${growth} fleet: growth factor`,
        value: smallest ? +(Number(row.accepted_ms) / Number(smallest.accepted_ms)).toFixed(2) : 1,
      },
      {
        benchmark: `fleet of ${devices}`,
        measure: 'dispatched per second / ceiling of the rate limit',
        value: `${row.dispatched_per_s} / ${row.rate_limit_ceiling_per_s}`,
      },
      {
        benchmark: `fleet of ${devices}`,
        measure: 'vendor requests per second while dispatching (dispatch and poll) / account limit',
        value: `${row.vendor_requests_per_s ?? 'n/a'} / ${row.rate_limit_per_s ?? 'n/a'}`,
      },
      {
        benchmark: `fleet of ${devices}`,
        measure: 'most vendor requests the simulator received in any one second / account limit',
        value: `${row.vendor_max_in_any_1s ?? 'n/a'} / ${row.rate_limit_per_s ?? 'n/a'}`,
      },
      {
        benchmark: `fleet of ${devices}`,
        measure: 'targets ended without reaching the vendor',
        value: row.ended_without_vendor_task ?? 'n/a',
      },
    );
  }
  console.log('\nFleetgate benchmarks (one run, side by side)');
  console.table(summary);
  const markdown = [
    `# Benchmarks, ${new Date().toISOString()}`,
    '',
    '| benchmark | measure | value |',
    '| --- | --- | --- |',
    ...summary.map((row) => `| ${row.benchmark} | ${row.measure} | ${row.value} |`),
    '',
  ].join('\n');
  await writeFile(join(dir, 'summary.md'), markdown);
  await writeFile(
    join(dir, 'summary.json'),
    `${JSON.stringify({ at: new Date().toISOString(), rows: summary }, null, 2)}\n`,
  );
  console.log(`saved to ${join('bench', 'results', 'summary.md')}`);
}

void main();
