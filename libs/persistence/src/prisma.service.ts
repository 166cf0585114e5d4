import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaClient } from './generated/prisma/client';

/** The one Prisma client of a process, on the node-postgres driver adapter. Connects lazily. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(config: FleetgateConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.DATABASE_URL, max: 20 }) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
