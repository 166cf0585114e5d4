import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTikmatrixSimulator } from '../tikmatrix/tikmatrix-simulator';
import { SimulatorServer } from './simulator-server';

/** The fault layer, shown through a real vendor simulator over HTTP. */
describe('SimulatorServer faults', () => {
  let server: SimulatorServer;
  let baseUrl: string;

  beforeEach(async () => {
    server = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 0, seed: 3 });
    baseUrl = await server.listen(0);
  });

  afterEach(async () => {
    await server.close();
  });

  const stats = (signal?: AbortSignal) => fetch(`${baseUrl}/api/v1/task/stats`, { signal });

  it('answers normally with no faults set', async () => {
    const response = await stats();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ code: 0 });
  });

  it('adds latency: a delayed request is still pending after an undelayed one has answered', async () => {
    server.setFaults({ latencyMs: 1_500 });
    let delayedDone = false;
    const delayed = stats().then((response) => {
      delayedDone = true;
      return response;
    });
    // Let the delayed request reach the fault layer before the latency is taken away again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.setFaults({ latencyMs: 0 });
    expect((await stats()).status).toBe(200);
    expect(delayedDone).toBe(false);
    expect((await delayed).status).toBe(200);
  });

  it('fails every request in the vendor envelope or as bare 5xx', async () => {
    server.setFaults({ errorRate: 1, errorMode: 'vendor' });
    const vendor = await stats();
    const body = (await vendor.json()) as { code: number };
    expect([400, 500]).toContain(vendor.status);
    expect([40001, 50001]).toContain(body.code);

    server.setFaults({ errorMode: 'http', httpErrorStatus: 502 });
    expect((await stats()).status).toBe(502);
  });

  it('never answers a hanging request', async () => {
    server.setFaults({ hangRate: 1 });
    await expect(stats(AbortSignal.timeout(300))).rejects.toThrow(/aborted|timeout/i);
  });

  it('answers 429 with Retry-After above the requests-per-second cap', async () => {
    server.setFaults({ rpsCap: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await stats()).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toEqual([429, 429]);
    const limited = await stats();
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('cuts bodies into malformed JSON', async () => {
    server.setFaults({ malformedRate: 1 });
    const text = await (await stats()).text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('keeps the control routes free of faults and validates changes', async () => {
    server.setFaults({ errorRate: 1, errorMode: 'http', malformedRate: 1 });
    const current = await fetch(`${baseUrl}/_sim/faults`);
    expect(current.status).toBe(200);
    expect(await current.json()).toMatchObject({ errorRate: 1, malformedRate: 1 });

    const bad = await fetch(`${baseUrl}/_sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hangRate: 5 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('hangRate');

    const cleared = await fetch(`${baseUrl}/_sim/faults`, { method: 'DELETE' });
    expect(await cleared.json()).toMatchObject({ errorRate: 0, malformedRate: 0 });
    expect((await stats()).status).toBe(200);
  });

  describe('callbacks', () => {
    let receiver: Server;
    let received: Array<{ n: number }>;
    let url: string;

    beforeEach(async () => {
      received = [];
      receiver = createServer((request: IncomingMessage, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          received.push(JSON.parse(body) as { n: number });
          response.end('ok');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    });

    afterEach(async () => {
      await new Promise((resolve) => receiver.close(resolve));
    });

    const batch = () => [1, 2, 3].map((n) => ({ url, body: { n } }));

    it('delivers a batch in order, once each', async () => {
      server.callbacks.send(batch());
      await server.callbacks.drain();
      expect(received.map((r) => r.n)).toEqual([1, 2, 3]);
      expect(server.callbacks.recent().every((record) => record.outcome === 'delivered' && record.status === 200)).toBe(
        true,
      );
    });

    it('duplicates, reorders and drops deliveries when told to', async () => {
      server.setFaults({ callbackDuplicateRate: 1 });
      server.callbacks.send(batch());
      await server.callbacks.drain();
      expect(received.map((r) => r.n)).toEqual([1, 1, 2, 2, 3, 3]);

      received = [];
      server.setFaults({ callbackDuplicateRate: 0, callbackOutOfOrder: true });
      server.callbacks.send(batch());
      await server.callbacks.drain();
      expect(received.map((r) => r.n)).toEqual([3, 2, 1]);

      received = [];
      server.callbacks.clear();
      server.setFaults({ callbackOutOfOrder: false, callbackFailureRate: 1 });
      server.callbacks.send(batch());
      await server.callbacks.drain();
      expect(received).toEqual([]);
      expect(server.callbacks.recent().map((record) => record.outcome)).toEqual(['dropped', 'dropped', 'dropped']);
    });
  });
});
