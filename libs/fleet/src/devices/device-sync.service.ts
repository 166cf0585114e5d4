import { Injectable, Logger } from '@nestjs/common';
import type { VendorDevice } from '@fleetgate/domain';
import { supports, VendorAccountService } from '@fleetgate/vendors';
import { FleetEvents } from '../events/fleet-events';
import type { SystemScope } from '../scope/access-scope';
import { DeviceRepository } from './device.repository';
import type { DeviceSyncResultDto } from './device.dto';

/**
 * Reads an account's inventory from its vendor into `devices`, page by page, with one upsert per
 * page. Names are the vendor's only when a device is first seen (users rename them); status, model
 * and attributes follow the vendor. Devices the vendor stopped reporting become `unknown`.
 */
@Injectable()
export class DeviceSyncService {
  private readonly logger = new Logger(DeviceSyncService.name);

  constructor(
    private readonly devices: DeviceRepository,
    private readonly accounts: VendorAccountService,
    private readonly events: FleetEvents,
  ) {}

  /** Accounts whose vendor has an inventory to read. */
  async syncableAccountIds(): Promise<string[]> {
    const syncable: string[] = [];
    for (const id of await this.accounts.enabledIds()) {
      if (supports(await this.accounts.adapterFor(id), 'devices.list')) syncable.push(id);
    }
    return syncable;
  }

  /** The vendor's inventory is every device of the account: only the system, naming why, syncs it. */
  async syncAccount(accountId: string, scope: SystemScope): Promise<DeviceSyncResultDto> {
    const adapter = await this.accounts.adapterFor(accountId);
    if (!supports(adapter, 'devices.list')) return { accountId, seen: 0, created: 0, missing: 0 };
    const started = new Date();
    let cursor: string | undefined;
    let seen = 0;
    let created = 0;
    do {
      const page = await adapter.listDevices(cursor);
      created += await this.upsert(scope, accountId, adapter.vendor, page.devices);
      seen += page.devices.length;
      cursor = page.nextCursor;
    } while (cursor);
    const missing = await this.devices.markUnreported(scope, accountId, started);
    this.logger.log({ accountId, seen, created, missing }, 'device inventory synced');
    return { accountId, seen, created, missing };
  }

  /** One statement per page; answers how many devices were new. Status changes raise device.status_changed. */
  private async upsert(
    scope: SystemScope,
    accountId: string,
    vendor: string,
    devices: VendorDevice[],
  ): Promise<number> {
    if (devices.length === 0) return 0;
    const refs = devices.map((device) => device.vendorRef);
    const known = new Map(
      (await this.devices.statusesOf(scope, accountId, refs)).map((device) => [device.vendorRef, device]),
    );
    const created = await this.devices.upsertInventory(scope, accountId, vendor, devices);
    for (const device of devices) {
      const before = known.get(device.vendorRef);
      if (!before || before.status === device.status) continue;
      await this.events.publish('device.status_changed', {
        deviceId: before.id,
        accountId,
        vendorRef: device.vendorRef,
        status: device.status,
        previousStatus: before.status,
      });
    }
    return created;
  }
}
