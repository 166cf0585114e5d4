import type { ArmcloudSimulatorOptions } from './armcloud/armcloud-auth';
import { createArmcloudSimulator } from './armcloud/armcloud-simulator';
import { createEasyclickSimulator, type EasyclickSimulatorOptions } from './easyclick/easyclick-simulator';
import { createGizwitsSimulator, type GizwitsSimulatorOptions } from './gizwits/gizwits-simulator';
import type { SimulatorContext, VendorName, VendorSimulator, VendorSimulatorFactory } from './kit';
import { createTikmatrixSimulator, type TikmatrixSimulatorOptions } from './tikmatrix/tikmatrix-simulator';

/** What each vendor's simulator can be given besides its context; every field has a default. */
export interface VendorSimulatorOptions {
  armcloud: ArmcloudSimulatorOptions;
  gizwits: GizwitsSimulatorOptions;
  easyclick: EasyclickSimulatorOptions;
  tikmatrix: TikmatrixSimulatorOptions;
}

export interface SimulatedVendor<V extends VendorName> {
  /** Builds the simulator with the defaults, or with the options given. */
  factory: (context: SimulatorContext, options?: VendorSimulatorOptions[V]) => VendorSimulator;
  /** The port it listens on unless its runner is told another. */
  defaultPort: number;
}

/** Every simulated vendor. */
export const SIMULATED_VENDORS: { [V in VendorName]: SimulatedVendor<V> } = {
  armcloud: { factory: createArmcloudSimulator, defaultPort: 4101 },
  gizwits: { factory: createGizwitsSimulator, defaultPort: 4102 },
  easyclick: { factory: createEasyclickSimulator, defaultPort: 4103 },
  tikmatrix: { factory: createTikmatrixSimulator, defaultPort: 4104 },
};

/** One vendor's simulator factory with its options bound, for a SimulatorServer. */
export function simulatorFactory<V extends VendorName>(vendor: V, options?: VendorSimulatorOptions[V]): VendorSimulatorFactory {
  const simulated: SimulatedVendor<V> = SIMULATED_VENDORS[vendor];
  return (context) => simulated.factory(context, options);
}
