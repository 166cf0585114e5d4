import { Random } from '../kit';

/** Instance status codes of the document (padStatus). */
export const PAD_STATUS = {
  running: 10,
  restarting: 11,
  resetting: 12,
  upgrading: 13,
  exception: 14,
  notReady: 15,
} as const;

export interface ArmcloudProperty {
  propertiesName: string;
  propertiesValue: string;
}

/** What callers can change on a pad; created on the first write so that an untouched fleet costs only typed arrays. */
export interface PadSettings {
  timeZone: string;
  language: string;
  country: string;
  sim: Record<string, string>;
  gps?: { longitude: number; latitude: number };
  proxy?: Record<string, unknown>;
  androidProps: Record<string, string>;
  modemProperties: Map<string, string>;
  systemProperties: Map<string, string>;
  settingProperties: Map<string, string>;
  oaidProperties: Map<string, string>;
  /** Installed apps by package name. */
  apps: Map<string, { appName: string; appId: number | null }>;
  bandwidth?: { upBandwidth: number; downBandwidth: number };
  adbEnabled: boolean;
  files: string[];
  contacts: number;
  imageId?: string;
}

export interface PadIdentity {
  imei: string;
  serialno: string;
  wifimac: string;
  androidid: string;
  model: string;
  brand: string;
  manufacturer: string;
  isRoot: string;
  width: number;
  height: number;
  memoryLimit: number;
  dataSize: number;
  dataSizeUsed: number;
  oaid: string;
  buildId: string;
}

export interface DataCenter {
  dcCode: string;
  dcName: string;
  area: string;
  idcCode: string;
}

export const DATA_CENTERS: readonly DataCenter[] = [
  { dcCode: 'dc01', dcName: 'Changsha-01', area: 'Changsha', idcCode: 'HNCS-C-01' },
  { dcCode: 'dc02', dcName: 'Shenzhen-01', area: 'Shenzhen', idcCode: 'GDSZ-A-01' },
  { dcCode: 'dc03', dcName: 'Singapore-01', area: 'Singapore', idcCode: 'SGSG-B-01' },
];
/** Instance specifications (padGrade in lists, deviceLevel in details: the same value). */
export const PAD_GRADES = ['q2-4', 'q2-6', 'q1-2', 'q2-1'] as const;
export const SEEDED_IMAGE_IDS = ['mg-24061124017', 'mg-24070211001', 'android:v10', 'android:v13'] as const;
export const GROUPS = [1, 2, 3, 4, 5].map((groupId) => ({ groupId, groupName: `Group ${groupId}` }));
const MODELS = [
  { model: 'Mi 10 Pro', brand: 'Xiaomi', manufacturer: 'Xiaomi' },
  { model: 'SM-G9910', brand: 'samsung', manufacturer: 'samsung' },
  { model: 'Pixel 6', brand: 'google', manufacturer: 'Google' },
  { model: 'PGT-AN10', brand: 'HONOR', manufacturer: 'HONOR' },
  { model: 'V2183A', brand: 'vivo', manufacturer: 'vivo' },
] as const;
const PRESET_APPS = [
  { pkgName: 'com.android.chrome', appName: 'Chrome' },
  { pkgName: 'com.tencent.mm', appName: 'WeChat' },
  { pkgName: 'com.smile.gifmaker', appName: 'Kuaishou' },
] as const;

/** Instances hosted by one physical machine (its deviceIp / deviceOutCode). */
export const PADS_PER_DEVICE = 4;
const PAD_CODE_BASE = 22030010001;
const SHARE_OFFLINE = 0.03;

/**
 * The seeded instance fleet. Up to 100,000 pads are held as typed arrays (status, online flag,
 * group, specification, image, per-pad seed); everything else about a pad (IMEI, model, IPs…) is
 * derived from its seed on demand, and only pads that callers change get a PadSettings object.
 * Codes and IPs are arithmetic on the index, so lookups need no map.
 */
export class ArmcloudFleet {
  readonly size: number;
  readonly deviceCount: number;
  private readonly seeds: Uint32Array;
  private readonly online: Uint8Array;
  private readonly status: Uint8Array;
  private readonly group: Uint8Array;
  private readonly grade: Uint8Array;
  private readonly image: Uint8Array;
  private readonly deviceOnline: Uint8Array;
  private readonly streaming: Uint8Array;
  private readonly settings = new Map<number, PadSettings>();

  constructor(size: number, seed: number) {
    this.size = size;
    this.deviceCount = Math.ceil(size / PADS_PER_DEVICE);
    this.seeds = new Uint32Array(size);
    this.online = new Uint8Array(size);
    this.status = new Uint8Array(size);
    this.group = new Uint8Array(size);
    this.grade = new Uint8Array(size);
    this.image = new Uint8Array(size);
    this.streaming = new Uint8Array(size);
    this.deviceOnline = new Uint8Array(this.deviceCount).fill(1);
    const random = new Random(seed);
    for (let i = 0; i < size; i++) {
      this.seeds[i] = Math.floor(random.next() * 0x1_0000_0000);
      const offline = random.next() < SHARE_OFFLINE;
      this.online[i] = offline ? 0 : 1;
      this.status[i] = offline ? PAD_STATUS.exception : PAD_STATUS.running;
      this.group[i] = GROUPS[i % GROUPS.length].groupId;
      this.grade[i] = Math.floor(random.next() * PAD_GRADES.length);
      this.image[i] = Math.floor(random.next() * SEEDED_IMAGE_IDS.length);
    }
  }

  codeOf(index: number): string {
    return `AC${PAD_CODE_BASE + index}`;
  }

  /** The index of a pad code, or undefined when no such pad exists. */
  indexOf(code: unknown): number | undefined {
    if (typeof code !== 'string' || !/^AC\d{11}$/.test(code)) return undefined;
    const index = Number(code.slice(2)) - PAD_CODE_BASE;
    return index >= 0 && index < this.size ? index : undefined;
  }

  /** 10.A.B.C, counting down from 10.255.1.1 in blocks of 254. */
  padIpOf(index: number): string {
    return `10.${255 - Math.floor(index / (254 * 254))}.${(Math.floor(index / 254) % 254) + 1}.${(index % 254) + 1}`;
  }

  indexOfPadIp(ip: unknown): number | undefined {
    const match = typeof ip === 'string' ? /^10\.(\d+)\.(\d+)\.(\d+)$/.exec(ip) : null;
    if (!match) return undefined;
    const [a, b, c] = match.slice(1).map(Number);
    if (a > 255 || b < 1 || b > 254 || c < 1 || c > 254) return undefined;
    const index = (255 - a) * 254 * 254 + (b - 1) * 254 + (c - 1);
    return index >= 0 && index < this.size ? index : undefined;
  }

  deviceOf(index: number): number {
    return Math.floor(index / PADS_PER_DEVICE);
  }

  deviceIpOf(device: number): string {
    return `172.31.${Math.floor(device / 254) + 1}.${(device % 254) + 1}`;
  }

  deviceIndexOfIp(ip: unknown): number | undefined {
    const match = typeof ip === 'string' ? /^172\.31\.(\d+)\.(\d+)$/.exec(ip) : null;
    if (!match) return undefined;
    const [b, c] = match.slice(1).map(Number);
    if (b < 1 || c < 1 || c > 254) return undefined;
    const device = (b - 1) * 254 + (c - 1);
    return device < this.deviceCount ? device : undefined;
  }

  /** The physical machine's id (deviceOutCode / deviceCode). */
  deviceCodeOf(device: number): string {
    return `ACD${String(device + 1).padStart(10, '0')}`;
  }

  padsOfDevice(device: number): number[] {
    const first = device * PADS_PER_DEVICE;
    const pads: number[] = [];
    for (let i = first; i < Math.min(first + PADS_PER_DEVICE, this.size); i++) pads.push(i);
    return pads;
  }

  isDeviceOnline(device: number): boolean {
    return this.deviceOnline[device] === 1;
  }

  setDeviceOnline(device: number, online: boolean): void {
    this.deviceOnline[device] = online ? 1 : 0;
  }

  isOnline(index: number): boolean {
    return this.online[index] === 1;
  }

  setOnline(index: number, online: boolean): void {
    this.online[index] = online ? 1 : 0;
  }

  padStatus(index: number): number {
    return this.status[index];
  }

  setPadStatus(index: number, status: number): void {
    this.status[index] = status;
  }

  isStreaming(index: number): boolean {
    return this.streaming[index] === 1;
  }

  setStreaming(index: number, streaming: boolean): void {
    this.streaming[index] = streaming ? 1 : 0;
  }

  groupOf(index: number): number {
    return this.group[index];
  }

  gradeOf(index: number): string {
    return PAD_GRADES[this.grade[index]];
  }

  imageOf(index: number): string {
    return this.settings.get(index)?.imageId ?? SEEDED_IMAGE_IDS[this.image[index]];
  }

  dataCenterOf(index: number): DataCenter {
    return DATA_CENTERS[this.deviceOf(index) % DATA_CENTERS.length];
  }

  /** The seeded hardware identity, with the values that SIM and property changes overrode. */
  identityOf(index: number): PadIdentity {
    const random = new Random(this.seeds[index]);
    const digits = (n: number) => Array.from({ length: n }, () => random.int(0, 9)).join('');
    const hex = (n: number) => Array.from({ length: n }, () => random.int(0, 15).toString(16)).join('');
    const alnum = (n: number) => Array.from({ length: n }, () => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[random.int(0, 35)]).join('');
    const model = MODELS[random.int(0, MODELS.length - 1)];
    const large = this.gradeOf(index) === 'q2-4' || this.gradeOf(index) === 'q1-2';
    const dataSize = 64 * 1024 ** 3;
    const identity: PadIdentity = {
      imei: `86${digits(13)}`,
      serialno: alnum(12),
      wifimac: Array.from({ length: 6 }, () => hex(2)).join(':'),
      androidid: hex(16),
      ...model,
      isRoot: random.chance(0.5) ? '1' : '0',
      width: large ? 1080 : 720,
      height: large ? 1920 : 1280,
      memoryLimit: large ? 4096 : 2048,
      dataSize,
      dataSizeUsed: Math.floor(dataSize * (0.1 + random.next() * 0.6)),
      oaid: hex(16),
      buildId: 'QQ3A.200805.001',
    };
    const settings = this.settings.get(index);
    if (settings?.sim.imei) identity.imei = settings.sim.imei;
    const imeiProperty = settings?.modemProperties.get('IMEI') ?? settings?.modemProperties.get('imei');
    if (imeiProperty) identity.imei = imeiProperty;
    return identity;
  }

  /** Preset apps: a deterministic subset per pad, until the pad's settings take over. */
  installedApps(index: number): Array<{ pkgName: string; appName: string }> {
    const settings = this.settings.get(index);
    if (settings) return [...settings.apps].map(([pkgName, app]) => ({ pkgName, appName: app.appName }));
    return this.presetApps(index);
  }

  private presetApps(index: number): Array<{ pkgName: string; appName: string }> {
    const mask = this.seeds[index] % (1 << PRESET_APPS.length);
    return PRESET_APPS.filter((_, bit) => mask & (1 << bit)).map((app) => ({ ...app }));
  }

  settingsOf(index: number): PadSettings {
    let settings = this.settings.get(index);
    if (!settings) {
      const identity = this.identityOf(index);
      settings = {
        timeZone: 'Asia/Shanghai',
        language: 'zh',
        country: 'CN',
        sim: {},
        androidProps: {},
        modemProperties: new Map([['IMEI', identity.imei]]),
        systemProperties: new Map([['ro.build.id', identity.buildId]]),
        settingProperties: new Map([['ro.build.tags', 'release-keys']]),
        oaidProperties: new Map([['oaid', identity.oaid]]),
        apps: new Map(this.presetApps(index).map((app) => [app.pkgName, { appName: app.appName, appId: null }])),
        adbEnabled: false,
        files: [],
        contacts: 0,
      };
      this.settings.set(index, settings);
    }
    return settings;
  }

  /** Read-only view of the properties (does not allocate settings for an untouched pad). */
  propertiesOf(index: number): Record<'modem' | 'system' | 'setting' | 'oaid', ArmcloudProperty[]> {
    const settings = this.settings.get(index);
    const identity = this.identityOf(index);
    const list = (map: Map<string, string> | undefined, fallback: Array<[string, string]>) =>
      [...(map ?? new Map(fallback))].map(([propertiesName, propertiesValue]) => ({ propertiesName, propertiesValue }));
    return {
      modem: list(settings?.modemProperties, [['IMEI', identity.imei]]),
      system: list(settings?.systemProperties, [['ro.build.id', identity.buildId]]),
      setting: list(settings?.settingProperties, [['ro.build.tags', 'release-keys']]),
      oaid: list(settings?.oaidProperties, [['oaid', identity.oaid]]),
    };
  }
}
