import { createArmcloudSimulator } from './armcloud/armcloud-simulator';
import type { VendorName, VendorSimulatorFactory } from './kit';

/** Every simulated vendor with the port it listens on unless SIM_<VENDOR>_PORT says otherwise. */
export const SIMULATED_VENDORS: Partial<Record<VendorName, { factory: VendorSimulatorFactory; defaultPort: number }>> = {
  armcloud: { factory: createArmcloudSimulator, defaultPort: 4101 },
};
