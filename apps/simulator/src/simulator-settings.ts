import { parseArgs } from 'node:util';
import {
  GIZWITS_DEFAULT_TOKEN_TTL_SECONDS,
  isTikmatrixPlan,
  parseFaultFlag,
  SIMULATED_VENDORS,
  TIKMATRIX_PLANS,
  type VendorName,
  type VendorSimulatorOptions,
} from '@fleetgate/simulators';

/** Everything the simulator runner is told at start, checked. */
export interface SimulatorSettings {
  /** Devices seeded per vendor. */
  fleetSize: number;
  timeScale: number;
  /** Seed for fleets and fault draws. */
  seed: number;
  /** Start-up faults by vendor name, as the --faults flags give them (each simulator checks its own). */
  faults: Map<string, Record<string, unknown>>;
  /** The vendors to start; every one when absent. */
  only?: ReadonlySet<string>;
  host: string;
  ports: Record<VendorName, number>;
  vendors: VendorSimulatorOptions;
}

/**
 * Reads the runner's flags, and the SIM_* environment for what flags do not set:
 *   --fleet-size N          devices seeded per vendor, 10..100000 (default 50, env SIM_FLEET_SIZE)
 *   --time-scale X          scales simulated task durations (default 1, env SIM_TIME_SCALE)
 *   --seed N                seed for fleets and fault draws (default 1)
 *   --faults vendor=k:v,... start-up faults, repeatable (see the kit's fault-settings.ts)
 *   --only vendor,...       start only these vendors
 *   SIM_HOST, SIM_<VENDOR>_PORT, and each vendor's credentials (its README lists them).
 * Throws naming the flag or variable of a value it cannot use.
 */
export function readSimulatorSettings(args: string[], env: NodeJS.ProcessEnv): SimulatorSettings {
  const { values } = parseArgs({
    args,
    options: {
      'fleet-size': { type: 'string', default: env.SIM_FLEET_SIZE ?? '50' },
      'time-scale': { type: 'string', default: env.SIM_TIME_SCALE ?? '1' },
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
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);

  const faults = new Map<string, Record<string, unknown>>();
  for (const flag of values.faults ?? []) {
    const [vendor, settings = ''] = flag.split('=');
    faults.set(vendor, { ...faults.get(vendor), ...parseFaultFlag(settings) });
  }

  const ports = {} as Record<VendorName, number>;
  for (const vendor of Object.keys(SIMULATED_VENDORS) as VendorName[]) {
    const name = `SIM_${vendor.toUpperCase()}_PORT`;
    const port = Number(env[name] ?? SIMULATED_VENDORS[vendor].defaultPort);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new Error(`${name} must be a port number from 0 to 65535, got "${env[name]}"`);
    }
    ports[vendor] = port;
  }

  return {
    fleetSize,
    timeScale,
    seed,
    faults,
    only: values.only ? new Set(values.only.split(',')) : undefined,
    host: env.SIM_HOST ?? '127.0.0.1',
    ports,
    vendors: {
      armcloud: {
        accessKeyId: env.SIM_ARMCLOUD_ACCESS_KEY || undefined,
        secretAccessKey: env.SIM_ARMCLOUD_SECRET_KEY || undefined,
        host: env.SIM_ARMCLOUD_HOST || undefined,
      },
      gizwits: {
        appId: env.SIM_GIZWITS_APP_ID || undefined,
        appSecret: env.SIM_GIZWITS_APP_SECRET || undefined,
        username: env.SIM_GIZWITS_USERNAME || undefined,
        password: env.SIM_GIZWITS_PASSWORD || undefined,
        tokenTtlSeconds: gizwitsTokenTtl(env.SIM_GIZWITS_TOKEN_TTL_SECONDS),
      },
      easyclick: {
        dataSecret: env.SIM_EASYCLICK_DATA_SECRET || undefined,
        // Empty is a value here: it turns the no_limit_token header off.
        noLimitToken: env.SIM_EASYCLICK_NO_LIMIT_TOKEN,
      },
      tikmatrix: { plan: tikmatrixPlan(env.SIM_TIKMATRIX_PLAN) },
    },
  };
}

function gizwitsTokenTtl(text: string | undefined): number {
  if (!text) return GIZWITS_DEFAULT_TOKEN_TTL_SECONDS;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new Error(`SIM_GIZWITS_TOKEN_TTL_SECONDS must be an integer >= 0, got "${text}"`);
  }
  return seconds;
}

function tikmatrixPlan(text: string | undefined): VendorSimulatorOptions['tikmatrix']['plan'] {
  if (!text) return undefined;
  const plan = text.toLowerCase();
  if (!isTikmatrixPlan(plan)) throw new Error(`SIM_TIKMATRIX_PLAN must be one of ${TIKMATRIX_PLANS.join(', ')}, got "${text}"`);
  return plan;
}
