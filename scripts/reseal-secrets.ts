/**
 * The second step of a SECRETS_KEY rotation (docs/operations.md, "Rotating keys"): with SECRETS_KEY
 * set to the new key and SECRETS_KEY_PREVIOUS to the old one, re-seals every stored secret (vendor
 * credentials, webhook secrets, event-subscription secrets) under the new key, one row per statement,
 * so that SECRETS_KEY_PREVIOUS can then be removed. Safe to run again. Run from the build:
 * `node dist/scripts/reseal-secrets.js`.
 */
import { loadConfig } from '@fleetgate/config';
import { PrismaService } from '@fleetgate/persistence';
import { SecretBox } from '@fleetgate/platform';

export interface ResealCounts {
  vendorAccounts: number;
  eventSubscriptions: number;
}

export async function resealSecrets(prisma: PrismaService, box: SecretBox): Promise<ResealCounts> {
  const accounts = await prisma.vendorAccount.findMany({
    select: { id: true, credentialsSealed: true, webhookSecretSealed: true, webhookSecretPreviousSealed: true },
  });
  for (const account of accounts) {
    await prisma.vendorAccount.update({
      where: { id: account.id },
      data: {
        credentialsSealed: box.reseal(account.credentialsSealed),
        webhookSecretSealed: box.reseal(account.webhookSecretSealed),
        webhookSecretPreviousSealed: account.webhookSecretPreviousSealed
          ? box.reseal(account.webhookSecretPreviousSealed)
          : null,
      },
    });
  }
  const subscriptions = await prisma.eventSubscription.findMany({ select: { id: true, secretSealed: true } });
  for (const subscription of subscriptions) {
    await prisma.eventSubscription.update({
      where: { id: subscription.id },
      data: { secretSealed: box.reseal(subscription.secretSealed) },
    });
  }
  return { vendorAccounts: accounts.length, eventSubscriptions: subscriptions.length };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const prisma = new PrismaService(config);
  try {
    const counts = await resealSecrets(prisma, new SecretBox(config.SECRETS_KEY, config.SECRETS_KEY_PREVIOUS));
    console.log(
      `re-sealed under SECRETS_KEY: ${counts.vendorAccounts} vendor accounts, ${counts.eventSubscriptions} event subscriptions`,
    );
  } finally {
    await prisma.$disconnect();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
