import { createArmcloudSimulator } from '../../apps/simulator/src/armcloud/armcloud-simulator';
import { SimulatorServer, type VendorSimulatorFactory } from '../../apps/simulator/src/kit';

export interface RunningSimulator {
  server: SimulatorServer;
  baseUrl: string;
  close(): Promise<void>;
}

/** A vendor simulator on a free 127.0.0.1 port, reached over HTTP like a real vendor. */
export async function startSimulator(factory: VendorSimulatorFactory, fleetSize = 20): Promise<RunningSimulator> {
  const server = new SimulatorServer(factory, { fleetSize, timeScale: 0 });
  const baseUrl = await server.listen(0);
  return { server, baseUrl, close: () => server.close() };
}

export const ARMCLOUD_DEMO_CREDENTIALS = { accessKeyId: 'AKFLEETGATEDEMO0001', secretAccessKey: 'fleetgate-armcloud-demo-secret' };
export { createArmcloudSimulator };
