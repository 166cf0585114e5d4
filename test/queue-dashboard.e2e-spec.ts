import { QueueName } from '@fleetgate/queues';
import { apiKeysCreate, authLogin } from '@fleetgate/sdk';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';

describe('the queue dashboard at /admin/queues (e2e)', () => {
  let gateway: RunningGateway;
  let accessToken: string;

  beforeAll(async () => {
    gateway = await startGateway();
    accessToken = (await authLogin({ client: gateway.client, body: ADMIN })).data!.accessToken;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses anonymous callers with the API’s error envelope', async () => {
    const response = await fetch(`${gateway.baseUrl}/admin/queues`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized', requestId: expect.any(String) } });
  });

  it('refuses a caller without queues:admin, and serves an admin the dashboard and its queue API', async () => {
    const { data: key } = await apiKeysCreate({
      client: gateway.as(accessToken),
      body: { name: 'metrics only', permissions: ['metrics:read'] },
    });
    const forbidden = await fetch(`${gateway.baseUrl}/admin/queues`, { headers: { 'x-api-key': key!.key } });
    expect(forbidden.status).toBe(403);

    const page = await fetch(`${gateway.baseUrl}/admin/queues`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const queues = await fetch(`${gateway.baseUrl}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const body = (await queues.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(Object.values(QueueName).sort());
  });

  it('reports queue depths per queue and state in /metrics', async () => {
    const response = await fetch(`${gateway.baseUrl}/metrics`, { headers: { authorization: `Bearer ${accessToken}` } });
    const text = await response.text();
    for (const queue of Object.values(QueueName)) {
      expect(text).toMatch(new RegExp(`fleetgate_queue_jobs\\{queue="${queue}",state="waiting"\\} \\d+`));
    }
  });
});
