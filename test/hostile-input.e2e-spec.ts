import { randomUUID } from 'node:crypto';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';
import { callApi } from './support/call-api';

/**
 * Requests a hostile caller sends on purpose, each of which once reached the database unchecked: the
 * answer is a 4xx in the error envelope that names the field, never a 500.
 */
describe('hostile input (e2e: gateway)', () => {
  let gateway: RunningGateway;
  let token: string;
  const call = (method: string, path: string, body?: unknown) => callApi(gateway.baseUrl, method, path, token, body);

  beforeAll(async () => {
    gateway = await startGateway({ REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'fg'}-hostile-${process.pid}` });
    token = (await callApi(gateway.baseUrl, 'POST', '/auth/login', undefined, ADMIN)).json.accessToken;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('an id in the path that is no UUID answers 400 naming the parameter', async () => {
    const task = await call('GET', '/tasks/not-a-uuid');
    expect(task.status).toBe(400);
    expect(task.json.error.details).toEqual([{ field: 'id', problem: 'must be a UUID' }]);
    const delivery = await call('POST', `/event-subscriptions/${randomUUID()}/deliveries/nope/redeliver`);
    expect(delivery.status).toBe(400);
    expect(delivery.json.error.details).toEqual([{ field: 'deliveryId', problem: 'must be a UUID' }]);
  });

  it('POST /job-runs/clean refuses an age beyond any date with a 400 naming olderThanDays', async () => {
    const answer = await call('POST', '/job-runs/clean', { olderThanDays: 2 ** 31 });
    expect(answer.status).toBe(400);
    expect(answer.json.error.details.map((detail: { field: string }) => detail.field)).toContain('olderThanDays');
  });

  // Known gap: Prisma 7's driver adapter reports a unique violation by its index
  // (`device_groups_name_key`), not its fields, and the envelope filter has no map from one to the
  // other, so the 409 names no field. This passes while the gap is there and fails once it is closed.
  it.failing('a name already taken answers 409 naming the field', async () => {
    const name = `hostile-${randomUUID().slice(0, 8)}`;
    expect((await call('POST', '/devices/groups', { name })).status).toBe(201);
    const again = await call('POST', '/devices/groups', { name });
    expect(again.status).toBe(409);
    expect(again.json.error.details).toEqual([{ field: 'name', problem: 'is already taken' }]);
  });
});
