import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTikmatrixSimulator } from '../tikmatrix/tikmatrix-simulator';
import { SimulatorServer } from './simulator-server';

/** The fault layer, shown through a real vendor simulator (TikMatrix) in process and over HTTP. */
describe('SimulatorServer faults', () => {
  let server: SimulatorServer;
  let baseUrl: string;

  beforeEach(async () => {
    server = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 0, seed: 3 });
    baseUrl = await server.listen(0);
  });

  afterEach(async () => {
    jest.useRealTimers();
    await server.close();
  });

  const STATS = '/api/v1/task/stats';
  const stats = (signal?: AbortSignal) => fetch(`${baseUrl}${STATS}`, { signal });
  const injectStats = () => server.app.inject({ method: 'GET', url: STATS });
  /** Fake timers for the fault layer's sleeps and clock; Fastify's inject still needs real ticks. */
  const useFakeClock = () => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('answers normally with no faults set', async () => {
    const response = await stats();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ code: 0, data: { total: 0 } });
  });

  describe('latency', () => {
    it('holds the answer until the added delay has passed', async () => {
      useFakeClock();
      server.setFaults({ latencyMs: 5_000 });
      let answered = false;
      const delayed = injectStats().then((response) => {
        answered = true;
        return response;
      });
      await jest.advanceTimersByTimeAsync(4_999);
      expect(answered).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect((await delayed).statusCode).toBe(200);
      expect(answered).toBe(true);
    });

    it('keeps a delayed request pending while an undelayed one answers', async () => {
      useFakeClock();
      server.setFaults({ latencyMs: 5_000 });
      let delayedDone = false;
      const delayed = injectStats().then((response) => {
        delayedDone = true;
        return response;
      });
      // The delayed request is asleep in the fault layer once its timer exists.
      while (jest.getTimerCount() === 0) await tick();
      server.setFaults({ latencyMs: 0 });
      expect((await injectStats()).statusCode).toBe(200);
      expect(delayedDone).toBe(false);
      await jest.advanceTimersByTimeAsync(5_000);
      expect((await delayed).statusCode).toBe(200);
    });
  });

  describe('errors', () => {
    it('fails every request in the vendor envelope in vendor mode', async () => {
      server.setFaults({ errorRate: 1, errorMode: 'vendor' });
      for (let i = 0; i < 5; i++) {
        const response = await stats();
        const body = (await response.json()) as { code: number; message: string; data: unknown };
        expect([40001, 50001]).toContain(body.code);
        expect(response.status).toBe(Math.floor(body.code / 100));
        expect(body).toMatchObject({ message: expect.any(String), data: null });
      }
      // Nothing reached the simulator: a create refused by the fault left no task behind.
      await fetch(`${baseUrl}/api/v1/task`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ serials: ['TMX000001'], script_name: 'login' }),
      });
      server.setFaults({ errorRate: 0 });
      expect(((await (await stats()).json()) as { data: { total: number } }).data.total).toBe(0);
    });

    it('fails every request with a bare 5xx in http mode', async () => {
      server.setFaults({ errorRate: 1, errorMode: 'http' });
      const response = await stats();
      expect(response.status).toBe(503);
      expect(await response.json()).not.toHaveProperty('code');

      server.setFaults({ httpErrorStatus: 502 });
      expect((await stats()).status).toBe(502);
    });
  });

  it('never answers a hanging request: the client gives up', async () => {
    server.setFaults({ hangRate: 1 });
    const signal = AbortSignal.timeout(300);
    const failure = await stats(signal).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.name).toMatch(/TimeoutError|AbortError/);
    expect(signal.aborted).toBe(true);
    // The control routes still answer while the vendor routes hang.
    expect((await fetch(`${baseUrl}/_sim/faults`)).status).toBe(200);
  });

  it('answers 429 with Retry-After above the requests-per-second cap, and again in the next second', async () => {
    useFakeClock();
    server.setFaults({ rpsCap: 2 });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof injectStats>> | undefined;
    for (let i = 0; i < 4; i++) {
      const response = await injectStats();
      statuses.push(response.statusCode);
      if (response.statusCode === 429) limited = response;
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(String(limited?.headers['retry-after'])).toMatch(/^[1-9]\d*$/);

    await jest.advanceTimersByTimeAsync(1_000);
    expect((await injectStats()).statusCode).toBe(200);
  });

  it('cuts bodies into malformed JSON', async () => {
    server.setFaults({ malformedRate: 1 });
    const text = await (await stats()).text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow();
    expect(text.startsWith('{')).toBe(true);
  });

  describe('control routes', () => {
    const put = (body: unknown) =>
      fetch(`${baseUrl}/_sim/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('shows the settings, changes some of them, and is itself never faulted', async () => {
      server.setFaults({ errorRate: 1, errorMode: 'http', malformedRate: 1 });
      const current = await fetch(`${baseUrl}/_sim/faults`);
      expect(current.status).toBe(200);
      expect(await current.json()).toMatchObject({ errorRate: 1, malformedRate: 1, errorMode: 'http' });

      const changed = await put({ latencyMs: 20, errorRate: '0' });
      expect(changed.status).toBe(200);
      expect(await changed.json()).toMatchObject({ latencyMs: 20, errorRate: 0, malformedRate: 1 });
      expect(server.getFaults()).toMatchObject({ latencyMs: 20, errorRate: 0 });
    });

    it.each([
      [{ hangRate: 5 }, 'hangRate'],
      [{ latencyMs: -1 }, 'latencyMs'],
      [{ errorMode: 'sometimes' }, 'errorMode'],
      [{ httpErrorStatus: 404 }, 'httpErrorStatus'],
      [{ bogus: 1 }, 'bogus'],
    ])('refuses %j with 400 naming the field, changing nothing', async (patch, field) => {
      const before = server.getFaults();
      const bad = await put(patch);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toContain(field);
      expect(server.getFaults()).toEqual(before);
    });

    it('turns every fault off with DELETE', async () => {
      server.setFaults({ errorRate: 1, errorMode: 'http', malformedRate: 1, rpsCap: 1, callbackOutOfOrder: true });
      const cleared = await fetch(`${baseUrl}/_sim/faults`, { method: 'DELETE' });
      expect(await cleared.json()).toMatchObject({
        errorRate: 0,
        malformedRate: 0,
        rpsCap: 0,
        errorMode: 'vendor',
        callbackOutOfOrder: false,
      });
      const response = await stats();
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ code: 0 });
    });
  });

  describe('request counts', () => {
    it('counts vendor requests per account, refused ones included, control routes not, and forgets them on reset', async () => {
      server.setFaults({ rpsCap: 1 });
      const answers = await Promise.all([stats(), stats(), stats()]);
      expect(answers.map((answer) => answer.status)).toContain(429);
      await fetch(`${baseUrl}/_sim/faults`);
      const counted = (await (await fetch(`${baseUrl}/_sim/requests`)).json()) as {
        accounts: Record<string, { received: number; maxInAnySecond: number }>;
      };
      expect(Object.keys(counted.accounts)).toEqual(['default']);
      expect(counted.accounts.default.received).toBe(3);
      expect(counted.accounts.default.maxInAnySecond).toBeGreaterThanOrEqual(1);
      await fetch(`${baseUrl}/_sim/reset`, { method: 'POST' });
      expect(await (await fetch(`${baseUrl}/_sim/requests`)).json()).toEqual({ accounts: {} });
    });
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
    const recentOutcomes = async () =>
      ((await (await fetch(`${baseUrl}/_sim/callbacks`)).json()) as Array<{ outcome: string; status?: number }>).map(
        (record) => `${record.outcome}${record.status ? `:${record.status}` : ''}`,
      );

    it('delivers a batch in order, once each', async () => {
      server.callbacks.send(batch());
      await server.callbacks.drain();
      expect(received.map((r) => r.n)).toEqual([1, 2, 3]);
      expect(await recentOutcomes()).toEqual(['delivered:200', 'delivered:200', 'delivered:200']);
    });

    it('duplicates every delivery at duplicate rate 1', async () => {
      server.setFaults({ callbackDuplicateRate: 1 });
      server.callbacks.send(batch());
      await server.callbacks.drain();
      expect(received.map((r) => r.n)).toEqual([1, 1, 2, 2, 3, 3]);
    });

    it('delivers a batch newest first when out of order', async () => {
      server.setFaults({ callbackOutOfOrder: true });
      server.callbacks.send(batch());
      await server.callbacks.drain();
      expect(received.map((r) => r.n)).toEqual([3, 2, 1]);
    });

    it('drops every delivery at failure rate 1, and records the drops', async () => {
      server.setFaults({ callbackFailureRate: 1 });
      server.callbacks.send(batch());
      await server.callbacks.drain();
      expect(received).toEqual([]);
      expect(await recentOutcomes()).toEqual(['dropped', 'dropped', 'dropped']);
    });
  });
});
