import { parseArgs } from 'node:util';
import { parseFaultFlag, SimulatorServer, type VendorName } from './kit';
import { SIMULATED_VENDORS } from './vendors';

/**
 * Starts the four vendor simulators, each on its own port.
 *   --fleet-size N          devices seeded per vendor, 10..100000 (default 50, env SIM_FLEET_SIZE)
 *   --time-scale X          scales simulated task durations (default 1, env SIM_TIME_SCALE)
 *   --seed N                seed for fleets and fault draws (default 1)
 *   --faults vendor=k:v,... start-up faults, repeatable (see kit/fault-settings.ts)
 *   --only vendor,...       start only these vendors
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'fleet-size': { type: 'string', default: process.env.SIM_FLEET_SIZE ?? '50' },
      'time-scale': { type: 'string', default: process.env.SIM_TIME_SCALE ?? '1' },
      seed: { type: 'string', default: '1' },
      faults: { type: 'string', multiple: true, default: [] },
      only: { type: 'string' },
    },
  });
  const fleetSize = Number(values['fleet-size']);
  if (!Number.isInteger(fleetSize) || fleetSize < 10 || fleetSize > 100_000) {
    throw new Error(`--fleet-size must be an integer from 10 to 100000, got "${values['fleet-size']}"`);
  }
  const timeScale = Number(values['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale < 0) throw new Error('--time-scale must be a number >= 0');
  const faultsByVendor = new Map<string, Record<string, unknown>>();
  for (const flag of values.faults ?? []) {
    const [vendor, settings = ''] = flag.split('=');
    faultsByVendor.set(vendor, { ...faultsByVendor.get(vendor), ...parseFaultFlag(settings) });
  }
  const only = values.only ? new Set(values.only.split(',')) : undefined;

  const servers: SimulatorServer[] = [];
  for (const [vendor, { factory, defaultPort }] of Object.entries(SIMULATED_VENDORS)) {
    if (only && !only.has(vendor)) continue;
    const server = new SimulatorServer(factory, {
      fleetSize,
      timeScale,
      seed: Number(values.seed),
      faults: faultsByVendor.get(vendor),
    });
    const port = Number(process.env[`SIM_${vendor.toUpperCase()}_PORT`] ?? defaultPort);
    const address = await server.listen(port, process.env.SIM_HOST ?? '127.0.0.1');
    servers.push(server);
    console.log(JSON.stringify({ msg: 'simulator listening', vendor: vendor as VendorName, address, fleetSize }));
  }
  const stop = async () => {
    await Promise.all(servers.map((server) => server.close()));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`simulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
