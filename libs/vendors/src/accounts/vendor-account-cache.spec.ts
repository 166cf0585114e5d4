import { randomUUID } from 'node:crypto';
import { loadConfig } from '@fleetgate/config';
import { type OutboundUrlGuard, SecretBox } from '@fleetgate/platform';
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
  } as unknown as VendorAccountRepository;
  const service = new VendorAccountService(accounts, {} as VendorRegistry, {} as OutboundUrlGuard, config);
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

  it('keeps nothing for an id that names no account', async () => {
    const id = randomUUID();
    expect(await service.verifyWebhook(id, 'tikmatrix', { secret: 'guess' })).toBe('unknown');
    expect(await service.verifyWebhook(id, 'tikmatrix', { secret: 'guess' })).toBe('unknown');
    expect(lookups).toEqual([id, id]);
  });

  it('holds a bounded number of rows, dropping the least recently used', async () => {
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
