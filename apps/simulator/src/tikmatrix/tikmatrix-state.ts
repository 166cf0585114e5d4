import type { Random } from '../kit';
import type { TikmatrixScript } from './tikmatrix-scripts';

/** Task status codes as the document lists them. */
export const TaskStatusCode = { Pending: 0, Running: 1, Completed: 2, Failed: 3 } as const;
export type TaskStatusCode = (typeof TaskStatusCode)[keyof typeof TaskStatusCode];

export interface TikmatrixTask {
  id: number;
  serial: string | null;
  username: string | null;
  script_name: TikmatrixScript;
  script_config: Record<string, unknown>;
  enable_multi_account: boolean;
  start_time: string | null;
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
  plan: 'starter' | 'pro' | 'team' | 'business' = 'pro';

  constructor(
    private readonly fleetSize: number,
    private readonly random: Random,
  ) {
    this.seed();
  }

  seed(): void {
    this.serials.length = 0;
    this.usernames.length = 0;
    this.deviceOfUsername.clear();
    this.offline.clear();
    this.tasks.clear();
    this.nextTaskId = 1;
    this.plan = 'pro';
    for (let index = 0; index < this.fleetSize; index++) {
      const serial = `TMX${String(index + 1).padStart(6, '0')}`;
      this.serials.push(serial);
      // Two accounts per device, the usual phone-farm layout.
      for (const suffix of ['a', 'b']) {
        const username = `tm_user_${index + 1}${suffix}`;
        this.usernames.push(username);
        this.deviceOfUsername.set(username, serial);
      }
      if (this.random.chance(0.02)) this.offline.add(serial);
    }
  }

  hasSerial(serial: string): boolean {
    return /^TMX\d{6}$/.test(serial) && Number(serial.slice(3)) >= 1 && Number(serial.slice(3)) <= this.fleetSize;
  }
}
