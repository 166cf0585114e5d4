import { createArmcloudSimulator } from './armcloud/armcloud-simulator';
import { createEasyclickSimulator } from './easyclick/easyclick-simulator';
import { createGizwitsSimulator } from './gizwits/gizwits-simulator';
import type { VendorName, VendorSimulatorFactory } from './kit';
import { createTikmatrixSimulator } from './tikmatrix/tikmatrix-simulator';

/** Every simulated vendor with the port it listens on unless SIM_<VENDOR>_PORT says otherwise. */
export const SIMULATED_VENDORS: Record<VendorName, { factory: VendorSimulatorFactory; defaultPort: number }> = {
  armcloud: { factory: createArmcloudSimulator, defaultPort: 4101 },
  gizwits: { factory: createGizwitsSimulator, defaultPort: 4102 },
  easyclick: { factory: createEasyclickSimulator, defaultPort: 4103 },
  tikmatrix: { factory: createTikmatrixSimulator, defaultPort: 4104 },
};
