import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { PasswordHasher } from './password-hasher';
import { UserRepository } from './users/user.repository';

/** The first start creates the super admin from ADMIN_EMAIL / ADMIN_PASSWORD; later starts leave it be. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    private readonly users: UserRepository,
    private readonly config: FleetgateConfig,
    private readonly passwords: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.ADMIN_EMAIL.toLowerCase();
    if (await this.users.existsWithEmail(email)) return;
    // Another gateway instance may be starting at the same moment: the row may exist by now.
    const created = await this.users.createUnlessExists({
      email,
      name: 'Administrator',
      passwordHash: await this.passwords.hash(this.config.ADMIN_PASSWORD),
      isSuperAdmin: true,
    });
    if (created) this.logger.log({ email }, 'created the first administrator');
  }
}
