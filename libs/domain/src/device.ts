import type { VendorName } from './vendor-name';

export const DEVICE_STATUSES = ['online', 'offline', 'busy', 'unknown'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** A device as every vendor adapter reports it. */
export interface VendorDevice {
  vendor: VendorName;
  /** The vendor's own id: ArmCloud padCode, Gizwits did, EasyClick device number, TikMatrix serial. */
  vendorRef: string;
  name: string;
  status: DeviceStatus;
  model?: string;
  /** Vendor facts worth keeping (image, IP, product key, latest data points...). */
  attributes: Record<string, unknown>;
}
