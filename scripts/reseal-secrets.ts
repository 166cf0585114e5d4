/**
 * The second step of a SECRETS_KEY rotation (docs/operations.md, "Rotating keys"): with SECRETS_KEY
 * set to the new key and SECRETS_KEY_PREVIOUS to the old one, re-seals every stored secret (vendor
 * credentials, webhook secrets, event-subscription secrets) under the new key, one row per statement,
 * each written only if its sealed values are still those read (a concurrent change is re-read, not undone),
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

/** The tables holding sealed secrets. */
export type SealedTables = Pick<PrismaService, 'vendorAccount' | 'eventSubscription'>;

export async function resealSecrets(prisma: SealedTables, box: SecretBox): Promise<ResealCounts> {
  const counts: ResealCounts = { vendorAccounts: 0, eventSubscriptions: 0 };
  const accounts = await prisma.vendorAccount.findMany({ select: ACCOUNT_SECRETS });
  for (let account of accounts) {
    // Written only where the sealed values are still those read: a credential update or a webhook
    // rotation made since is re-read and re-sealed, never reverted. A row deleted meanwhile is skipped.
    for (;;) {
      const { count } = await prisma.vendorAccount.updateMany({
        where: account,
        data: {
          credentialsSealed: box.reseal(account.credentialsSealed),
          webhookSecretSealed: box.reseal(account.webhookSecretSealed),
          webhookSecretPreviousSealed: account.webhookSecretPreviousSealed
            ? box.reseal(account.webhookSecretPreviousSealed)
            : null,
        },
      });
      if (count > 0) {
        counts.vendorAccounts++;
        break;
      }
      const current = await prisma.vendorAccount.findUnique({ where: { id: account.id }, select: ACCOUNT_SECRETS });
      if (!current) break;
      account = current;
    }
  }
  const subscriptions = await prisma.eventSubscription.findMany({ select: { id: true, secretSealed: true } });
  for (let subscription of subscriptions) {
    for (;;) {
      const { count } = await prisma.eventSubscription.updateMany({
        where: subscription,
        data: { secretSealed: box.reseal(subscription.secretSealed) },
      });
      if (count > 0) {
        counts.eventSubscriptions++;
        break;
      }
      const current = await prisma.eventSubscription.findUnique({
        where: { id: subscription.id },
        select: { id: true, secretSealed: true },
      });
      if (!current) break;
      subscription = current;
    }
  }
  return counts;
}

/** The row's id and every sealed column, as read and as matched by the conditional write. */
const ACCOUNT_SECRETS = {
  id: true,
  credentialsSealed: true,
  webhookSecretSealed: true,
  webhookSecretPreviousSealed: true,
} as const;

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
