import { Injectable, Logger } from '@nestjs/common';
import type { VendorDevice } from '@fleetgate/domain';
import { PrismaService } from '@fleetgate/persistence';
import { supports, VendorAccountService } from '@fleetgate/vendors';
import { FleetEvents } from '../events/fleet-events';
import type { SystemScope } from '../scope/access-scope';
import { devicesInScope } from '../scope/data-scope-where';
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
    private readonly prisma: PrismaService,
    private readonly accounts: VendorAccountService,
    private readonly events: FleetEvents,
  ) {}

  /** Accounts whose vendor has an inventory to read. */
  async syncableAccountIds(): Promise<string[]> {
    const accounts = await this.prisma.vendorAccount.findMany({ where: { enabled: true }, select: { id: true } });
    const syncable: string[] = [];
    for (const { id } of accounts) {
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
      created += await this.upsert(accountId, adapter.vendor, page.devices);
      seen += page.devices.length;
      cursor = page.nextCursor;
    } while (cursor);
    const missing = await this.prisma.device.updateMany({
      where: {
        AND: [
          { accountId, OR: [{ syncedAt: null }, { syncedAt: { lt: started } }], status: { not: 'unknown' } },
          devicesInScope(scope),
        ],
      },
      data: { status: 'unknown', statusAt: new Date() },
    });
    this.logger.log({ accountId, seen, created, missing: missing.count }, 'device inventory synced');
    return { accountId, seen, created, missing: missing.count };
  }

  /** One statement per page; answers how many devices were new. Status changes raise device.status_changed. */
  private async upsert(accountId: string, vendor: string, devices: VendorDevice[]): Promise<number> {
    if (devices.length === 0) return 0;
    const known = new Map(
      (
        await this.prisma.device.findMany({
          where: { accountId, vendorRef: { in: devices.map((device) => device.vendorRef) } },
          select: { id: true, vendorRef: true, status: true },
        })
      ).map((device) => [device.vendorRef, device]),
    );
    const rows = await this.prisma.$queryRaw<Array<{ inserted: boolean }>>`
      INSERT INTO devices (id, vendor, account_id, vendor_ref, name, status, model, attributes,
                           synced_at, status_at, last_seen_at, updated_at)
      SELECT gen_random_uuid(), ${vendor}, ${accountId}::uuid, r.vendor_ref, r.name, r.status, r.model,
             r.attributes::jsonb, now(), now(), CASE WHEN r.status = 'online' THEN now() END, now()
      FROM unnest(${devices.map((d) => d.vendorRef)}::text[], ${devices.map((d) => d.name)}::text[],
                  ${devices.map((d) => d.status)}::text[], ${devices.map((d) => d.model ?? null)}::text[],
                  ${devices.map((d) => JSON.stringify(d.attributes ?? {}))}::text[])
           AS r(vendor_ref, name, status, model, attributes)
      ON CONFLICT (account_id, vendor_ref) DO UPDATE SET
        status = EXCLUDED.status,
        model = EXCLUDED.model,
        attributes = EXCLUDED.attributes,
        synced_at = EXCLUDED.synced_at,
        status_at = CASE WHEN devices.status <> EXCLUDED.status THEN EXCLUDED.status_at ELSE devices.status_at END,
        last_seen_at = COALESCE(EXCLUDED.last_seen_at, devices.last_seen_at),
        updated_at = EXCLUDED.updated_at
      RETURNING (xmax = 0) AS inserted`;
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
    return rows.filter((row) => row.inserted).length;
  }
}
