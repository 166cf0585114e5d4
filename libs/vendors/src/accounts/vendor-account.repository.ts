import { Injectable } from '@nestjs/common';
import { type Db, type Prisma, PrismaService, type VendorAccount } from '@fleetgate/persistence';

/** The vendor_accounts table: the only code that reads or writes it. */
@Injectable()
export class VendorAccountRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: Prisma.VendorAccountCreateInput, db: Db = this.prisma): Promise<VendorAccount> {
    return db.vendorAccount.create({ data });
  }

  /** A page of accounts (of one vendor, or all) in vendor and name order, and how many there are in all. */
  async page(
    vendor: string | undefined,
    page: { skip: number; take: number },
    db: Db = this.prisma,
  ): Promise<[VendorAccount[], number]> {
    const where = vendor ? { vendor } : {};
    return Promise.all([
      db.vendorAccount.findMany({
        where,
        orderBy: [{ vendor: 'asc' }, { name: 'asc' }],
        skip: page.skip,
        take: page.take,
      }),
      db.vendorAccount.count({ where }),
    ]);
  }

  findById(id: string, db: Db = this.prisma): Promise<VendorAccount | null> {
    return db.vendorAccount.findUnique({ where: { id } });
  }

  /** The id of the vendor's account of this name, if there is one. */
  async idOfName(vendor: string, name: string, db: Db = this.prisma): Promise<string | undefined> {
    const row = await db.vendorAccount.findUnique({ where: { vendor_name: { vendor, name } }, select: { id: true } });
    return row?.id;
  }

  async enabledIds(db: Db = this.prisma): Promise<string[]> {
    const rows = await db.vendorAccount.findMany({ where: { enabled: true }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  disabledAmong(ids: string[], db: Db = this.prisma): Promise<Array<{ id: string; vendor: string; name: string }>> {
    return db.vendorAccount.findMany({
      where: { id: { in: ids }, enabled: false },
      select: { id: true, vendor: true, name: true },
    });
  }

  update(id: string, data: Prisma.VendorAccountUpdateInput, db: Db = this.prisma): Promise<VendorAccount> {
    return db.vendorAccount.update({ where: { id }, data });
  }

  async delete(id: string, db: Db = this.prisma): Promise<void> {
    await db.vendorAccount.delete({ where: { id } });
  }
}
