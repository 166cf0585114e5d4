import { SIMULATED_VENDORS, SimulatorServer, simulatorFactory, type VendorName } from '@fleetgate/simulators';
import { readSimulatorSettings } from './simulator-settings';

/** Starts the vendor simulators, each on its own port; simulator-settings.ts lists the flags and variables. */
async function main(): Promise<void> {
  const settings = readSimulatorSettings(process.argv.slice(2), process.env);
  const servers: SimulatorServer[] = [];
  for (const vendor of Object.keys(SIMULATED_VENDORS) as VendorName[]) {
    if (settings.only && !settings.only.has(vendor)) continue;
    const server = new SimulatorServer(simulatorFactory(vendor, settings.vendors[vendor]), {
      fleetSize: settings.fleetSize,
      timeScale: settings.timeScale,
      seed: settings.seed,
      faults: settings.faults.get(vendor),
    });
    const address = await server.listen(settings.ports[vendor], settings.host);
    servers.push(server);
    console.log(JSON.stringify({ msg: 'simulator listening', vendor, address, fleetSize: settings.fleetSize }));
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
