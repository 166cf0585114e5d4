import Fastify from 'fastify';
import type { Device } from '@fleetgate/persistence';
import { DEVICE_JSON_SCHEMA, DEVICE_PAGE_JSON_SCHEMA } from './device.dto';
import { toDeviceDto } from './device.service';

/**
 * The device routes' answers are serialised by Fastify from DEVICE_JSON_SCHEMA, which writes only the
 * properties it names: the schema must name every DeviceDto field and write each as JSON.stringify does.
 */
const device = (changes: Partial<Device> = {}): Device => ({
  id: '0b6f3c1e-54a4-4d7e-8d0c-1f7b3a6f9e21',
  vendor: 'armcloud',
  accountId: '5d1f0b0e-7a0c-4d3e-9d6c-2a1b3c4d5e6f',
  vendorRef: 'AC0001',
  name: 'pad "one" \u2013 ünïcode',
  status: 'online',
  model: 'X1',
  attributes: { battery: 80, nested: { list: [1, 'two', null], flag: true } },
  tags: ['blue', 'shelf-1'],
  groupId: null,
  departmentId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  ownerId: null,
  lastSeenAt: new Date('2026-12-01T10:11:12.345Z'),
  syncedAt: null,
  statusAt: new Date('2026-12-01T10:11:12.000Z'),
  createdAt: new Date('2026-11-30T00:00:00.001Z'),
  updatedAt: new Date('2026-12-02T23:59:59.999Z'),
  ...changes,
});

async function served(schema: object, body: unknown): Promise<string> {
  const app = Fastify();
  app.get('/', { schema: { response: { 200: schema } } }, async () => body);
  const response = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return response.body;
}

describe('DEVICE_JSON_SCHEMA', () => {
  it('names every field of DeviceDto', () => {
    expect(Object.keys(DEVICE_JSON_SCHEMA.properties).sort()).toEqual(Object.keys(toDeviceDto(device())).sort());
  });

  it('writes a device, and a page of them, as JSON.stringify does', async () => {
    const dtos = [
      toDeviceDto(device()),
      toDeviceDto(
        device({
          model: null,
          attributes: {},
          tags: [],
          groupId: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
          ownerId: '2f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
          lastSeenAt: null,
          syncedAt: new Date(0),
        }),
      ),
    ];
    for (const dto of dtos) expect(await served(DEVICE_JSON_SCHEMA, dto)).toBe(JSON.stringify(dto));
    const page = { items: dtos, total: 2, page: 1, pageSize: 50 };
    expect(await served(DEVICE_PAGE_JSON_SCHEMA, page)).toBe(JSON.stringify(page));
  });

  it('writes attributes holding any JSON as they are stored (the column is jsonb, not only objects)', async () => {
    // A jsonb column holds any JSON value; a serialiser told `object` wrote [1, 2] as {"0":1,"1":2},
    // "on" as {"0":"o","1":"n"} and null as {}.
    for (const attributes of [[1, 'two', null], 'on', 42, true, null, { list: [{ deep: [null] }] }]) {
      const dto = toDeviceDto(device({ attributes: attributes as Device['attributes'] }));
      expect(await served(DEVICE_JSON_SCHEMA, dto)).toBe(JSON.stringify(dto));
    }
  });
});
