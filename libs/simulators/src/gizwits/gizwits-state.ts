import { createHash, randomBytes } from 'node:crypto';
import type { Random } from '../kit';
import { DEMO_PRODUCT_KEY, initialAttrs } from './gizwits-datapoints';

/** A JSON request body, read field by field. */
export type Body = Record<string, unknown>;

export interface GizwitsUser {
  uid: string;
  username?: string;
  email?: string;
  phone?: string;
  phoneId?: string;
  authData?: { src: string; uid: string };
  password?: string;
  anonymous: boolean;
  /** did → the binding's remark, and the device passcode it was bound with. */
  bindings: Map<string, { remark: string; passcode: string }>;
}

export interface GizwitsDevice {
  did: string;
  index: number;
  mac: string;
  passcode: string;
  online: boolean;
  attrs: Record<string, boolean | number | string>;
  updatedAt: number;
  lastRaw?: number[];
}

export interface SchedulerTaskItem {
  did: string;
  product_key: string;
  attrs: Record<string, boolean | number | string>;
}

export interface GizwitsScheduler {
  id: string;
  uid: string;
  created_at: string;
  date?: string;
  time: string;
  repeat: string;
  task: SchedulerTaskItem[];
  retry_count: number;
  retry_task: 'all' | 'failed';
  lastLog?: { datetime: string; status: 'succeed' | 'failed'; detail: Record<string, boolean>; attempts: number };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A device id shaped like Gizwits' 22-character dids, derived from the index so 100k devices cost nothing. */
export function didOf(index: number): string {
  let n = index + 1;
  let tail = '';
  while (n > 0) {
    tail = BASE62[n % 62] + tail;
    n = Math.floor(n / 62);
  }
  return `FG${tail.padStart(20, '0')}`;
}

export function indexOfDid(did: string): number | undefined {
  if (!/^FG[0-9A-Za-z]{20}$/.test(did)) return undefined;
  let n = 0;
  for (const char of did.slice(2)) n = n * 62 + BASE62.indexOf(char);
  return n - 1;
}

/** The passcode a device has until it is reset: `pass` and its six-digit index. */
export function passcodeOf(index: number): string {
  return `pass${String(index).padStart(6, '0')}`;
}

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');
export const newToken = () => randomBytes(16).toString('hex');

export class GizwitsState {
  readonly users = new Map<string, GizwitsUser>();
  readonly tokens = new Map<string, { uid: string; expireAt: number }>();
  readonly appTokens = new Map<string, number>();
  readonly captchas = new Map<string, string>();
  readonly smsCodes = new Map<string, string>();
  readonly schedulers = new Map<string, GizwitsScheduler>();
  /** Devices materialised on first touch; the rest exist by index only. */
  private readonly devices = new Map<number, GizwitsDevice>();
  readonly offline = new Set<number>();

  constructor(
    readonly fleetSize: number,
    private readonly random: Random,
  ) {}

  seed(demoUser: { username: string; password: string }): GizwitsUser {
    this.users.clear();
    this.tokens.clear();
    this.appTokens.clear();
    this.captchas.clear();
    this.smsCodes.clear();
    this.schedulers.clear();
    this.devices.clear();
    this.offline.clear();
    for (let index = 0; index < this.fleetSize; index++) if (this.random.chance(0.03)) this.offline.add(index);
    const demo: GizwitsUser = { uid: 'fleetgatedemouid', ...demoUser, anonymous: false, bindings: new Map() };
    // The demo user holds the whole fleet, so one login reaches every device.
    for (let index = 0; index < this.fleetSize; index++)
      demo.bindings.set(didOf(index), { remark: '', passcode: passcodeOf(index) });
    this.users.set(demo.uid, demo);
    return demo;
  }

  device(did: string): GizwitsDevice | undefined {
    const index = indexOfDid(did);
    if (index === undefined || index < 0 || index >= this.fleetSize) return undefined;
    let device = this.devices.get(index);
    if (!device) {
      device = {
        did,
        index,
        mac: (0x112233000000 + index).toString(16).padStart(12, '0'),
        passcode: passcodeOf(index),
        online: !this.offline.has(index),
        attrs: initialAttrs(index),
        updatedAt: Date.now(),
      };
      this.devices.set(index, device);
    }
    device.online = !this.offline.has(index);
    return device;
  }

  binding(did: string, remark: string) {
    const device = this.device(did)!;
    return {
      product_key: DEMO_PRODUCT_KEY,
      did,
      mac: device.mac,
      is_online: device.online,
      passcode: device.passcode,
      host: 'm2m.gizwits.com',
      port: 3128,
      remark,
      is_disabled: false,
      type: 'normal',
    };
  }

  findUserByLogin(login: string): GizwitsUser | undefined {
    for (const user of this.users.values()) {
      if (user.username === login || user.email === login || user.phone === login) return user;
    }
    return undefined;
  }
}
