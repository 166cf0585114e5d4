import { Random } from '../kit';
import type { TikmatrixScript } from './tikmatrix-scripts';

/** Task status codes as the document lists them. */
export const TaskStatusCode = { Pending: 0, Running: 1, Completed: 2, Failed: 3 } as const;
export type TaskStatusCode = (typeof TaskStatusCode)[keyof typeof TaskStatusCode];

export const TIKMATRIX_PLANS = ['starter', 'pro', 'team', 'business'] as const;
export type TikmatrixPlan = (typeof TIKMATRIX_PLANS)[number];

export function isTikmatrixPlan(value: unknown): value is TikmatrixPlan {
  return (TIKMATRIX_PLANS as readonly unknown[]).includes(value);
}

/** About this share of the seeded farm is offline, so that some tasks fail as they would on a real farm. */
const OFFLINE_SHARE = 0.02;

/** Accounts logged in on each seeded device (the usual phone-farm layout: a main and a spare). */
export const ACCOUNT_SUFFIXES = ['a', 'b'] as const;

export interface TikmatrixTask {
  id: number;
  serial: string | null;
  username: string | null;
  script_name: TikmatrixScript;
  script_config: Record<string, unknown>;
  enable_multi_account: boolean;
  start_time: string | null;
  min_interval: number;
  max_interval: number;
  status: TaskStatusCode;
  source: 'api' | 'ui';
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** The seeded farm: device serials, the accounts logged in on them, and the tasks. */
export class TikmatrixState {
  readonly serials: string[] = [];
  readonly usernames: string[] = [];
  /** Serial of the device each account lives on. */
  readonly deviceOfUsername = new Map<string, string>();
  readonly offline = new Set<string>();
  readonly tasks = new Map<number, TikmatrixTask>();
  nextTaskId = 1;
  plan: TikmatrixPlan = 'pro';

  /** `fleetSeed` is drawn once by the simulator, so that every seed() rebuilds the same farm. */
  constructor(
    private readonly fleetSize: number,
    private readonly fleetSeed: number,
    private readonly initialPlan: TikmatrixPlan,
  ) {
    this.seed();
  }

  seed(): void {
    const random = new Random(this.fleetSeed);
    this.serials.length = 0;
    this.usernames.length = 0;
    this.deviceOfUsername.clear();
    this.offline.clear();
    this.tasks.clear();
    this.nextTaskId = 1;
    this.plan = this.initialPlan;
    for (let index = 0; index < this.fleetSize; index++) {
      const serial = `TMX${String(index + 1).padStart(6, '0')}`;
      this.serials.push(serial);
      for (const suffix of ACCOUNT_SUFFIXES) {
        const username = `tm_user_${index + 1}${suffix}`;
        this.usernames.push(username);
        this.deviceOfUsername.set(username, serial);
      }
      if (random.chance(OFFLINE_SHARE)) this.offline.add(serial);
    }
  }

  /** The accounts on a device, in the order they were logged in. */
  accountsOf(serial: string): string[] {
    const index = Number(serial.slice(3));
    return ACCOUNT_SUFFIXES.map((suffix) => `tm_user_${index}${suffix}`);
  }

  hasSerial(serial: string): boolean {
    return /^TMX\d{6}$/.test(serial) && Number(serial.slice(3)) >= 1 && Number(serial.slice(3)) <= this.fleetSize;
  }
}
