import { OPERATION_TYPES, VENDOR_NAMES } from '@fleetgate/domain';
import { DEMO_CREDENTIALS } from '@fleetgate/simulators';
import { InProcessRateLimiter } from './core/rate-limiter';
import { VendorTransport } from './core/vendor-transport';
import { VENDOR_CATALOG } from './vendor-catalog';

/**
 * Across every vendor of the catalogue: what an adapter does not declare, it refuses with
 * `unsupported` before any request leaves, never a silent no-op. (Each vendor's own spec runs every
 * declared capability against its simulator.)
 */
describe.each(VENDOR_CATALOG.map((definition) => [definition.vendor, definition] as const))(
  'the %s adapter',
  (vendor, definition) => {
    const requests: string[] = [];
    const account = {
      id: `catalog-${vendor}`,
      vendor,
      baseUrl: 'http://vendor.invalid',
      credentials: DEMO_CREDENTIALS[vendor],
      rateLimitPerSecond: 1000,
      timeoutMs: 1_000,
    };
    const transport = new VendorTransport({
      account,
      rateLimiter: new InProcessRateLimiter(),
      maxAttempts: 1,
      fetchImpl: async (input) => {
        requests.push(String(input));
        throw new Error('no request should leave for an unsupported capability');
      },
    });
    const adapter = definition.createAdapter(account, transport);

    it('declares the capabilities its definition lists', () => {
      expect(adapter.vendor).toBe(vendor);
      expect([...adapter.capabilities].sort()).toEqual([...definition.capabilities].sort());
      expect(!!adapter.scheduling).toBe(adapter.capabilities.has('schedules'));
    });

    const missing = OPERATION_TYPES.filter((type) => !definition.capabilities.has(type));
    it.each(missing.length ? missing : ['(none)'])('refuses %s with unsupported', async (type) => {
      if (type === '(none)') return expect(missing).toEqual([]);
      await expect(adapter.dispatch({ type, params: {} } as never, ['ref-1'])).rejects.toMatchObject({
        kind: 'unsupported',
        vendor,
      });
      expect(requests).toEqual([]);
    });

    it('refuses what it lacks among inventory, polling, cancel and callbacks', async () => {
      if (!definition.capabilities.has('devices.list')) {
        await expect(adapter.listDevices()).rejects.toMatchObject({ kind: 'unsupported' });
      }
      if (!definition.capabilities.has('callbacks')) {
        expect(() => adapter.parseCallback({ headers: {}, body: {} })).toThrow(
          expect.objectContaining({ kind: 'unsupported' }),
        );
      }
      if (!definition.capabilities.has('tasks.cancel')) {
        await expect(adapter.cancelTasks(['1'])).rejects.toMatchObject({ kind: 'unsupported' });
      }
      expect(requests).toEqual([]);
    });
  },
);

describe('the vendor catalogue', () => {
  it('names exactly the vendors the domain and the API validation know', () => {
    expect(VENDOR_CATALOG.map((definition) => definition.vendor).sort()).toEqual([...VENDOR_NAMES].sort());
  });
});
