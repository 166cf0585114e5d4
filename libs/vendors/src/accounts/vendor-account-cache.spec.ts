import { randomUUID } from 'node:crypto';
import { loadConfig } from '@fleetgate/config';
import { type OutboundUrlGuard, SecretBox } from '@fleetgate/platform';
import type { RedisConnections } from '@fleetgate/redis';
import type { VendorRegistry } from '../registry/vendor-registry';
import type { VendorAccountRepository } from './vendor-account.repository';
import { ACCOUNT_CACHE_MAX_ROWS, VendorAccountService } from './vendor-account.service';

describe('VendorAccountService account rows on the webhook path', () => {
  const config = loadConfig({});
  const box = new SecretBox(config.SECRETS_KEY);
  const known = new Map<string, object>();
  const lookups: string[] = [];
  const accounts = {
    findById: async (id: string) => {
      lookups.push(id);
      return known.get(id) ?? null;
    },
    delete: async (id: string) => {
      known.delete(id);
    },
    update: async (id: string, data: object) => {
      known.set(id, { ...known.get(id), ...data, updatedAt: new Date() });
    },
  } as unknown as VendorAccountRepository;
  // One Redis shared by the processes of the test: the accounts' epoch lives there.
  const redisValues = new Map<string, string>();
  let redisRefusesWrites = false;
  const redis = {
    key: (...parts: string[]) => ['test', ...parts].join(':'),
    commands: {
      get: async (key: string) => redisValues.get(key) ?? null,
      set: async (key: string, value: string, mode?: 'NX') => {
        if (redisRefusesWrites) throw new Error('READONLY You can\'t write against a read only replica.');
        if (mode !== 'NX' || !redisValues.has(key)) redisValues.set(key, value);
        return 'OK';
      },
    },
  } as unknown as RedisConnections;
  const registry = { forget: () => undefined } as unknown as VendorRegistry;
  const processOf = () => new VendorAccountService(accounts, registry, {} as OutboundUrlGuard, config, redis);
  const service = processOf();
  const account = (id: string) => ({
    id,
    vendor: 'tikmatrix',
    enabled: true,
    webhookSecretSealed: box.seal(`secret-${id}`),
    updatedAt: new Date(),
  });

  beforeEach(() => {
    lookups.length = 0;
  });

  it('keeps a known account briefly, so a burst of its callbacks reads it once', async () => {
    const id = randomUUID();
    known.set(id, account(id));
    for (let i = 0; i < 3; i++) {
      expect(await service.verifyWebhook(id, 'tikmatrix', { secret: `secret-${id}` })).toBe('ok');
    }
    expect(lookups).toEqual([id]);
  });

  it('sees a change made through another process at once: a deleted account is unknown on the next callback', async () => {
    // Two gateways: one answers the vendor's callbacks, an operator deletes the account through the other.
    const id = randomUUID();
    known.set(id, account(id));
    expect(await service.verifyWebhook(id, 'tikmatrix', { secret: `secret-${id}` })).toBe('ok');
    await processOf().remove(id);
    expect(await service.verifyWebhook(id, 'tikmatrix', { secret: `secret-${id}` })).toBe('unknown');
    expect(lookups).toEqual([id, id]);
  });

  it('answers a rotated secret even when Redis cannot take the new epoch, and other processes see it within 5 s', async () => {
    // The rotation is committed: answering 500 would hide the new secret from the operator, and a retry
    // would rotate again, ending the grace period of the secret the vendor still sends.
    const id = randomUUID();
    known.set(id, account(id));
    expect(await service.verifyWebhook(id, 'tikmatrix', { secret: `secret-${id}` })).toBe('ok');
    redisRefusesWrites = true;
    try {
      const rotated = await processOf().rotateWebhookSecret(id, 0);
      expect(rotated.webhookSecret).toEqual(expect.any(String));
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      jest.setSystemTime(Date.now() + 5_001);
      expect(await service.verifyWebhook(id, 'tikmatrix', { secret: rotated.webhookSecret })).toBe('ok');
      expect(await service.verifyWebhook(id, 'tikmatrix', { secret: `secret-${id}` })).toBe('forged');
    } finally {
      redisRefusesWrites = false;
      jest.useRealTimers();
    }
  });

  it('keeps nothing for an id that names no account', async () => {
    const id = randomUUID();
    expect(await service.verifyWebhook(id, 'tikmatrix', { secret: 'guess' })).toBe('unknown');
    expect(await service.verifyWebhook(id, 'tikmatrix', { secret: 'guess' })).toBe('unknown');
    expect(lookups).toEqual([id, id]);
  });

  it('holds a bounded number of rows, dropping the oldest', async () => {
    const ids = Array.from({ length: ACCOUNT_CACHE_MAX_ROWS + 1 }, () => randomUUID());
    for (const id of ids) known.set(id, account(id));
    for (const id of ids) await service.verifyWebhook(id, 'tikmatrix', { secret: 'wrong' });
    lookups.length = 0;
    await service.verifyWebhook(ids[ids.length - 1], 'tikmatrix', { secret: 'wrong' });
    expect(lookups).toEqual([]);
    await service.verifyWebhook(ids[0], 'tikmatrix', { secret: 'wrong' });
    expect(lookups).toEqual([ids[0]]);
  });
});
