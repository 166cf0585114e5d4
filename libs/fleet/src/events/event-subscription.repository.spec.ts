import type { PrismaService } from '@fleetgate/persistence';
import { type AccessScope, callerScope, type CallerScope, systemScope } from '../scope/access-scope';
import { EventDeliveryRepository } from './event-delivery.repository';
import { EventSubscriptionRepository } from './event-subscription.repository';

/**
 * Never called: it only has to compile. Each line is a statement on subscriptions or deliveries
 * without its scope, and each must be a type error.
 */
export function eventStatementsWithoutScope(
  subscriptions: EventSubscriptionRepository,
  deliveries: EventDeliveryRepository,
  caller: AccessScope,
): void {
  // @ts-expect-error a subscription list needs a scope
  void subscriptions.list();
  // @ts-expect-error a subscription read needs a scope
  void subscriptions.find('id');
  // @ts-expect-error a subscription change needs a scope
  void subscriptions.update('id', { enabled: false });
  // @ts-expect-error the subscriptions events go to need a scope
  void subscriptions.enabled();
  // @ts-expect-error a delivery list needs a scope
  void deliveries.list('subscription', undefined, { skip: 0, take: 10 });
  // @ts-expect-error a delivery sent again needs a scope
  void deliveries.markPending('id');
  // @ts-expect-error only the system stores deliveries
  void deliveries.createMany(caller, []);
}

describe('EventSubscriptionRepository', () => {
  const editor: CallerScope = callerScope({
    userId: 'u2',
    departmentId: 'd2',
    scope: { kind: 'own', userId: 'u2' },
  });

  function recording() {
    const calls: Array<{ method: string; args: { where?: unknown; data?: unknown } }> = [];
    const record = (method: string) => async (args: { where?: unknown; data?: unknown }) => {
      calls.push({ method, args });
      return { id: 'id' };
    };
    const prisma = { eventSubscription: { create: record('create'), update: record('update') } };
    return { repository: new EventSubscriptionRepository(prisma as unknown as PrismaService), calls };
  }

  it('makes a subscription act for its creator, and for whom a change says it acts for from then on', async () => {
    const { repository, calls } = recording();
    await repository.create(editor, { name: 'n', url: 'https://example.com/hook', eventTypes: [], secretSealed: 's' });
    await repository.update(editor, 'id', { url: 'https://example.com/other', actsFor: editor });
    await repository.update(systemScope('a unit test of subscription changes'), 'id', { enabled: false });
    expect(calls.map(({ args }) => args)).toEqual([
      {
        data: {
          name: 'n',
          url: 'https://example.com/hook',
          eventTypes: [],
          secretSealed: 's',
          createdById: 'u2',
          departmentId: 'd2',
        },
      },
      {
        where: { id: 'id', AND: { createdById: 'u2' } },
        data: { url: 'https://example.com/other', createdById: 'u2', departmentId: 'd2' },
      },
      { where: { id: 'id', AND: {} }, data: { enabled: false } },
    ]);
  });
});
