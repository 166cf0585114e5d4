import { createHash } from 'node:crypto';
import { SEEDED_IMAGE_IDS } from './armcloud-fleet';

/** A file in the File Management Centre (`/file-center/open/file/*`). */
export interface CentreFile {
  fileUniqueId: string;
  fileName: string;
  fileMd5: string;
  fileSize: number;
  originUrl: string;
  createTime: number;
  /** False until its upload task completes. */
  available: boolean;
}

/** An application in the Application Management Centre (`/file-center/open/app/*`). */
export interface CentreApp {
  appId: number;
  originUrl: string;
  description: string;
  packageName: string;
  appName: string;
  versionName: string;
  versionNo: number;
  signMd5: string;
  available: boolean;
  createTime: number;
}

const hex32 = (text: string) => createHash('md5').update(text).digest('hex');

/** A plausible download size, stable for a given address. */
export function simulatedFileSize(url: string): number {
  return 1_000_000 + (parseInt(hex32(url).slice(0, 6), 16) % 150_000_000);
}

/** The download address the simulator can "fetch": http(s) with a host. Anything else fails the upload task. */
export function isDownloadable(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname.length > 0;
  } catch {
    return false;
  }
}

export class FileCentre {
  private readonly files = new Map<string, CentreFile>();

  /** Registers a file (not yet available); the id is stable for the same address and name. */
  add(fileUrl: string, fileName: string, fileMd5: string | undefined): CentreFile {
    const fileUniqueId = hex32(`${fileUrl}\n${fileName}`);
    const file: CentreFile = {
      fileUniqueId,
      fileName,
      fileMd5: fileMd5 ?? hex32(fileUrl),
      fileSize: simulatedFileSize(fileUrl),
      originUrl: fileUrl,
      createTime: Date.now(),
      available: this.files.get(fileUniqueId)?.available ?? false,
    };
    this.files.delete(fileUniqueId);
    this.files.set(fileUniqueId, file);
    return file;
  }

  get(fileUniqueId: string): CentreFile | undefined {
    return this.files.get(fileUniqueId);
  }

  /** Available files, newest first. */
  listAvailable(): CentreFile[] {
    return [...this.files.values()].filter((file) => file.available).reverse();
  }
}

/** Seeded with the apps that the document's examples use, so that those examples work as written. */
const SEEDED_APPS: Array<Omit<CentreApp, 'available' | 'createTime' | 'signMd5' | 'originUrl'>> = [
  { appId: 1, packageName: 'com.smile.gifmaker', appName: 'kuaishou', versionName: '12.3.20.36000', versionNo: 36000, description: 'kuai' },
  { appId: 2, packageName: 'com.tencent.mm', appName: 'WeChat', versionName: '8.0.49', versionNo: 2540, description: 'chat' },
  { appId: 124, packageName: 'com.huluxia.gametools', appName: 'Hulu Man', versionName: '4.2.1', versionNo: 421, description: 'tools' },
  { appId: 1243, packageName: 'com.smile.gifmaker', appName: 'kuaishou', versionName: '12.3.20.36000', versionNo: 36000, description: 'kuai' },
];

export class AppCentre {
  private readonly apps = new Map<number, CentreApp>();
  private nextAppId = 10_001;

  constructor() {
    for (const app of SEEDED_APPS) {
      this.apps.set(app.appId, {
        ...app,
        originUrl: `https://apps.armcloud.example/${app.packageName}.apk`,
        signMd5: hex32(app.packageName).toUpperCase(),
        available: true,
        createTime: Date.UTC(2024, 2, 8),
      });
    }
  }

  /** Registers an app (not yet available); a custom appId replaces the app of that id. */
  add(app: Omit<CentreApp, 'appId' | 'available' | 'createTime'> & { appId?: number }): CentreApp {
    const appId = app.appId ?? this.nextAppId++;
    const entry: CentreApp = { ...app, appId, available: false, createTime: Date.now() };
    this.apps.set(appId, entry);
    return entry;
  }

  get(appId: number): CentreApp | undefined {
    return this.apps.get(appId);
  }

  list(appIds?: readonly number[]): CentreApp[] {
    const all = [...this.apps.values()].filter((app) => app.available);
    return appIds ? all.filter((app) => appIds.includes(app.appId)) : all;
  }
}

/** Images that upgradeImage accepts: the seeded ids, and the tag of every image whose upload task succeeded. */
export class ImageLibrary {
  private readonly images = new Set<string>(SEEDED_IMAGE_IDS);
  private readonly submittedTags = new Set<string>();

  has(imageId: string): boolean {
    return this.images.has(imageId);
  }

  /** False when the tag was already submitted ("Do not submit images repeatedly"). */
  submit(imageTag: string): boolean {
    if (this.submittedTags.has(imageTag)) return false;
    this.submittedTags.add(imageTag);
    return true;
  }

  publish(imageTag: string): void {
    this.images.add(imageTag);
  }

  withdraw(imageTag: string): void {
    this.submittedTags.delete(imageTag);
  }
}
