import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { PrismaService } from '@fleetgate/persistence';
import { PasswordHasher } from './password-hasher';

/** The first start creates the super admin from ADMIN_EMAIL / ADMIN_PASSWORD; later starts leave it be. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: FleetgateConfig,
    private readonly passwords: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.ADMIN_EMAIL.toLowerCase();
    if (await this.prisma.user.findUnique({ where: { email }, select: { id: true } })) return;
    const created = await this.prisma.user.createMany({
      data: [
        {
          email,
          name: 'Administrator',
          passwordHash: await this.passwords.hash(this.config.ADMIN_PASSWORD),
          isSuperAdmin: true,
        },
      ],
      skipDuplicates: true, // another gateway instance may be starting at the same moment
    });
    if (created.count) this.logger.log({ email }, 'created the first administrator');
  }
}
