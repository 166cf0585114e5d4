import { randomUUID } from 'node:crypto';
import type { PrismaService } from '@fleetgate/persistence';
import { migratedPrisma } from '../../../../test/support/test-prisma';
import { CallbackInboxRepository, type IncomingCallback } from './callback-inbox.repository';

/**
 * Several group-commit INSERTs are in flight at once (CallbackInbox), and a vendor redelivering a burst
 * puts the same callbacks in batches of their own, in any order. Each callback must be stored once,
 * and no two batches may deadlock on each other's keys (one of them would fail, and its callers with it).
 * Against the real PostgreSQL: what is under test is how concurrent statements meet on the unique key.
 */
describe('the callback inbox with batches in flight at once (PostgreSQL)', () => {
  let prisma: PrismaService;
  let inbox: CallbackInboxRepository;
  let accountId: string;

  beforeAll(async () => {
    prisma = await migratedPrisma('callback_inbox', { DATABASE_POOL_SIZE: 8 });
    inbox = new CallbackInboxRepository(prisma);
    const account = await prisma.vendorAccount.create({
      data: {
        vendor: 'armcloud',
        name: `inbox-concurrency-${randomUUID()}`,
        baseUrl: 'http://127.0.0.1:1',
        credentialsSealed: 'sealed',
        webhookSecretSealed: 'sealed',
      },
    });
    accountId = account.id;
  });

  afterAll(async () => {
    await prisma.vendorAccount.delete({ where: { id: accountId } }).catch(() => undefined);
    await prisma.$disconnect();
  });

  it('stores each key once when batches holding the same keys in opposite orders run at once', async () => {
    const callback = (key: string): IncomingCallback => ({ vendor: 'armcloud', accountId, dedupeKey: key, payload: { key } });
    for (let round = 0; round < 20; round++) {
      const keys = Array.from({ length: 40 }, (_, i) => `round-${round}-key-${i}`);
      const batches = [keys, [...keys].reverse(), [...keys.slice(20), ...keys.slice(0, 20)], [...keys].reverse()];
      const stored = await Promise.all(batches.map((batch) => inbox.insertBatch(batch.map(callback))));
      const storedKeys = stored.flat().map((row) => row.dedupe_key);
      expect(storedKeys.sort()).toEqual([...keys].sort());
    }
  });
});
