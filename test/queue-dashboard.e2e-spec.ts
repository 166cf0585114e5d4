import { JobProducer, QueueName } from '@fleetgate/queues';
import { apiKeysCreate, authLogin } from '@fleetgate/sdk';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';

describe('the queue dashboard at /admin/queues (e2e)', () => {
  let gateway: RunningGateway;
  let accessToken: string;

  beforeAll(async () => {
    // Queues of its own: the probe job below must meet no other suite's worker.
    gateway = await startGateway({ REDIS_PREFIX: `fg-dashboard-${process.pid}-${Date.now()}` });
    accessToken = (await authLogin({ client: gateway.client, body: ADMIN })).data!.accessToken;
  });

  /** Created over HTTP, not the SDK: the SDK's permission list is generated and may lag behind. */
  async function apiKey(permissions: string[]): Promise<string> {
    const response = await fetch(`${gateway.baseUrl}/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ name: permissions.join(' '), permissions }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { key: string }).key;
  }

  function call(method: string, path: string, key: string) {
    return fetch(`${gateway.baseUrl}${path}`, { method, headers: { 'x-api-key': key } });
  }

  /** A job that waits an hour: nothing runs it while the test tries to change it. */
  async function probeJob() {
    const queue = gateway.app.get(JobProducer).allQueues()[0];
    const job = await queue.add('dashboard-probe', {}, { delay: 3_600_000 });
    return { queue, job };
  }

  it('shows a holder of queues:admin every queue read-only: retry, clean, promote, remove, empty and pause are refused', async () => {
    const viewer = await apiKey(['queues:admin']);
    const { queue, job } = await probeJob();
    const api = `/admin/queues/api/queues/${queue.name}`;
    const changes: Array<[string, string]> = [
      ['PUT', `${api}/retry/failed`],
      ['PUT', `${api}/clean/delayed`],
      ['PUT', `${api}/promote`],
      ['PUT', `${api}/${job.id}/promote`],
      ['PUT', `${api}/${job.id}/clean`],
      ['PUT', `${api}/${job.id}/retry`],
      ['PUT', `${api}/empty`],
      ['PUT', `${api}/obliterate`],
      ['PUT', `${api}/pause`],
      ['PUT', '/admin/queues/api/queues/pause'],
      ['POST', `${api}/add`],
    ];
    for (const [method, path] of changes) {
      const response = await call(method, path, viewer);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
      expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect(await job.getState()).toBe('delayed');
    expect(await queue.isPaused()).toBe(false);

    const listed = await call('GET', '/admin/queues/api/queues', viewer);
    expect(listed.status).toBe(200);
    const { queues } = (await listed.json()) as { queues: Array<{ readOnlyMode: boolean }> };
    expect(queues.every((entry) => entry.readOnlyMode)).toBe(true);
    await job.remove();
  });

  it('lets a holder of queues:manage change queues at /admin/queues-manage, and refuses a viewer there', async () => {
    const [viewer, manager] = [await apiKey(['queues:admin']), await apiKey(['queues:manage'])];
    const { queue, job } = await probeJob();
    const remove = `/admin/queues-manage/api/queues/${queue.name}/${job.id}/clean`;
    const refused = await call('PUT', remove, viewer);
    expect(refused.status).toBe(403);
    expect(await job.getState()).toBe('delayed');
    expect((await call('GET', '/admin/queues-manage', viewer)).status).toBe(403);

    expect((await call('GET', '/admin/queues', manager)).status).toBe(200);
    const page = await call('GET', '/admin/queues-manage', manager);
    expect(page.status).toBe(200);
    const removed = await call('PUT', remove, manager);
    expect(removed.status).toBeLessThan(300);
    expect(await queue.getJob(job.id!)).toBeUndefined();
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
