import { createTikmatrixSimulator, SimulatorServer } from '@fleetgate/simulators';
import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError } from '../core/vendor-error';
import { recordingFetch, testAccount, testTransport } from '../core/adapter-test-kit';
import type { VendorTransportOptions } from '../core/vendor-transport';
import { TikmatrixAdapter } from './tikmatrix-adapter';
import { TikmatrixClient } from './tikmatrix-client';

function account(baseUrl: string, overrides: Partial<VendorAccountConfig> = {}): VendorAccountConfig {
  return testAccount('tikmatrix', baseUrl, {}, overrides);
}

function adapterFor(config: VendorAccountConfig, options: Partial<VendorTransportOptions> = {}) {
  const transport = testTransport(config, options);
  return { adapter: new TikmatrixAdapter(new TikmatrixClient(config, transport)), transport };
}

describe('TikmatrixAdapter', () => {
  let sim: SimulatorServer;
  let baseUrl: string;

  beforeEach(async () => {
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 0 });
    baseUrl = await sim.listen(0);
  });

  afterEach(async () => {
    await sim.close();
  });

  it('sends the document’s create-task request', async () => {
    const { requests, impl } = recordingFetch();
    const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
    await adapter.dispatch(
      {
        type: 'script.start',
        params: { script: 'post', config: { content_type: 0, material_list: ['C:/Videos/video1.mp4'] } },
      },
      ['TMX000001'],
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: `${baseUrl}/api/v1/task`,
      headers: { 'content-type': 'application/json' },
    });
    expect(JSON.parse(requests[0].body!)).toEqual({
      serials: ['TMX000001'],
      script_name: 'post',
      script_config: { content_type: 0, material_list: ['C:/Videos/video1.mp4'] },
    });
  });

  it('starts scripts per serial or per account and follows them to a final status', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await adapter.testConnection();
    const outcomes = await adapter.dispatch({ type: 'script.start', params: { script: 'login' } }, [
      'TMX000001',
      'TMX000002',
    ]);
    expect(outcomes.map((o) => [o.vendorRef, o.status])).toEqual([
      ['TMX000001', 'pending'],
      ['TMX000002', 'pending'],
    ]);
    const byAccount = await adapter.dispatch(
      { type: 'script.start', params: { script: 'account_warmup', usernames: ['tm_user_3a'] } },
      ['tm_user_3a'],
    );
    expect(byAccount).toEqual([
      {
        vendorRef: 'tm_user_3a',
        vendorTaskId: expect.any(String),
        vendorTaskIds: [byAccount[0].vendorTaskId],
        status: 'pending',
      },
    ]);

    const ids = [...outcomes, ...byAccount].flatMap((o) => o.vendorTaskIds!);
    let progress = await adapter.pollTasks(ids);
    for (let i = 0; i < 50 && progress.some((p) => p.status === 'pending' || p.status === 'running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      progress = await adapter.pollTasks(ids);
    }
    expect(progress.every((p) => p.status === 'succeeded' || p.status === 'failed')).toBe(true);
    // Every task names its device and the account it ran on; a target of either kind is matched by them.
    expect(progress.map((p) => p.vendorRefs)).toEqual([
      ['TMX000001', 'tm_user_1a'],
      ['TMX000001', 'tm_user_1b'],
      ['TMX000002', 'tm_user_2a'],
      ['TMX000002', 'tm_user_2b'],
      ['TMX000003', 'tm_user_3a'],
    ]);
  });

  describe('matching vendor tasks to targets', () => {
    /** The vendor's own record of a task: which device and account it runs on. */
    const vendorTask = async (id: string) =>
      ((await (await fetch(`${baseUrl}/api/v1/task/${id}`)).json()) as { data: { serial: string; username: string } })
        .data;

    it('gives a serial every task the vendor created for it: two ids for one serial, as the document answers', async () => {
      const { adapter } = adapterFor(account(baseUrl));
      const outcomes = await adapter.dispatch({ type: 'script.start', params: { script: 'login' } }, [
        'TMX000001',
        'TMX000002',
      ]);
      expect(outcomes.map((o) => [o.vendorRef, o.vendorTaskIds?.length])).toEqual([
        ['TMX000001', 2],
        ['TMX000002', 2],
      ]);
      for (const outcome of outcomes) {
        expect(outcome.vendorTaskId).toBe(outcome.vendorTaskIds![0]);
        for (const id of outcome.vendorTaskIds!) expect((await vendorTask(id)).serial).toBe(outcome.vendorRef);
      }
    });

    it('matches by the task ids answered, never by their position', async () => {
      // A vendor free to answer its ids in any order: reversed here.
      const reversing: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (init?.method !== 'POST' || !String(input).endsWith('/api/v1/task')) return response;
        const body = (await response.json()) as { data: { task_ids: number[] } };
        body.data.task_ids.reverse();
        return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
      };
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: reversing });
      const outcomes = await adapter.dispatch(
        { type: 'script.start', params: { script: 'login', usernames: ['tm_user_1a', 'tm_user_2b', 'tm_user_3a'] } },
        ['tm_user_1a', 'tm_user_2b', 'tm_user_3a'],
      );
      expect(outcomes.map((o) => o.vendorRef)).toEqual(['tm_user_1a', 'tm_user_2b', 'tm_user_3a']);
      for (const outcome of outcomes) {
        expect(outcome.vendorTaskIds).toHaveLength(1);
        expect((await vendorTask(outcome.vendorTaskId!)).username).toBe(outcome.vendorRef);
      }
    });

    it('sends each batch only its own usernames, one outcome and one tracked task per username', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl });
      const usernames = ['tm_user_1a', 'tm_user_2a', 'tm_user_3a', 'tm_user_4a'];
      // The task engine sends the usernames in batches; this batch holds two of them.
      const outcomes = await adapter.dispatch({ type: 'script.start', params: { script: 'login', usernames } }, [
        'tm_user_3a',
        'tm_user_4a',
      ]);
      const creates = requests.filter((request) => request.method === 'POST');
      expect(creates.map((request) => JSON.parse(request.body!).usernames)).toEqual([['tm_user_3a', 'tm_user_4a']]);
      expect(outcomes.map((o) => [o.vendorRef, o.status, o.vendorTaskIds?.length])).toEqual([
        ['tm_user_3a', 'pending', 1],
        ['tm_user_4a', 'pending', 1],
      ]);
    });
  });

  it('stops and cancels running tasks', async () => {
    await sim.close();
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 1000 });
    baseUrl = await sim.listen(0);
    const { adapter } = adapterFor(account(baseUrl));
    const [first, second] = await adapter.dispatch({ type: 'script.start', params: { script: 'login' } }, [
      'TMX000001',
      'TMX000002',
    ]);
    const stopped = await adapter.dispatch({ type: 'script.stop', params: { taskId: first.vendorTaskId! } }, [
      'TMX000001',
    ]);
    // The farm answers the stopped task (status 3); the stop itself was accepted.
    expect(stopped).toEqual([
      {
        vendorRef: 'TMX000001',
        vendorTaskId: first.vendorTaskId,
        status: 'succeeded',
        result: { stopped: Number(first.vendorTaskId) },
      },
    ]);
    await adapter.cancelTasks([second.vendorTaskId!, first.vendorTaskId!]); // the first already ended: not an error
    await adapter.cancelTasks(['424242']); // a task the farm no longer has: nothing to cancel
    const [progress] = await adapter.pollTasks([second.vendorTaskId!]);
    expect(progress).toMatchObject({ status: 'failed', error: { message: 'stopped by user' } });
  });

  it('names the task a script.stop ends, so that the target following it is recorded as cancelled', () => {
    const { adapter } = adapterFor(account(baseUrl));
    expect(adapter.endedVendorTasks({ type: 'script.stop', params: { taskId: '17' } })).toEqual(['17']);
    expect(adapter.endedVendorTasks({ type: 'script.start', params: { script: 'login' } })).toEqual([]);
  });

  it('throws a refused cancel with the vendor’s code and message, and the task keeps running', async () => {
    await sim.close();
    // Slow enough that the task is still waiting when the refusals are over.
    sim = new SimulatorServer(createTikmatrixSimulator, { fleetSize: 10, timeScale: 1000 });
    baseUrl = await sim.listen(0);
    const { adapter } = adapterFor(account(baseUrl), { maxAttempts: 1, breakerThreshold: 100 });
    const [target] = await adapter.dispatch({ type: 'script.start', params: { script: 'login' } }, ['TMX000001']);
    sim.setFaults({ errorRate: 1, errorMode: 'vendor' });
    const refusals: VendorError[] = [];
    // The simulator draws each refusal: a 400 "device busy" or a 500; every one must reach the caller.
    for (let i = 0; i < 10; i++) {
      const error = await adapter.cancelTasks([target.vendorTaskId!]).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(VendorError);
      refusals.push(error as VendorError);
    }
    expect(refusals.map((error) => [error.kind, error.vendorCode, error.vendorMessage])).toContainEqual([
      'invalid',
      '40001',
      'device busy, try again',
    ]);
    sim.setFaults({ errorRate: 0 });
    const [progress] = await adapter.pollTasks([target.vendorTaskId!]);
    expect(progress.status).toBe('pending');
  });

  it('refuses what TikMatrix cannot do instead of doing nothing', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await expect(adapter.listDevices()).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(adapter.dispatch({ type: 'device.reboot', params: {} }, ['TMX000001'])).rejects.toMatchObject({
      kind: 'unsupported',
      vendorMessage: 'tikmatrix does not support device.reboot',
    });
    expect(() => adapter.parseCallback()).toThrow(VendorError);
  });

  it('keeps the vendor’s code and message: 40301 under Starter, 40401 for an unknown device', async () => {
    const { adapter } = adapterFor(account(baseUrl));
    await expect(
      adapter.dispatch({ type: 'script.start', params: { script: 'login' } }, ['TMX999999']),
    ).rejects.toMatchObject({
      kind: 'not_found',
      vendorCode: '40401',
      vendorMessage: 'device TMX999999 not found',
    });
    await fetch(`${baseUrl}/_sim/tikmatrix/license`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"plan":"starter"}',
    });
    await expect(adapter.testConnection()).rejects.toMatchObject({ kind: 'unauthorized', vendorCode: '40301' });
  });

  describe('under faults', () => {
    it('retries a safe read through 5xx and malformed JSON, but never resends a create', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl, maxAttempts: 3, breakerThreshold: 100 });
      sim.setFaults({ errorRate: 1, errorMode: 'http' });
      await expect(adapter.pollTasks(['1'])).rejects.toMatchObject({ kind: 'unavailable', vendorCode: '503' });
      expect(requests).toHaveLength(3);

      requests.length = 0;
      await expect(
        adapter.dispatch({ type: 'script.start', params: { script: 'login' } }, ['TMX000001']),
      ).rejects.toMatchObject({
        kind: 'unavailable',
      });
      expect(requests).toHaveLength(1);

      requests.length = 0;
      sim.setFaults({ errorRate: 0, malformedRate: 1 });
      await expect(adapter.testConnection()).rejects.toMatchObject({
        kind: 'unavailable',
        vendorCode: 'malformed_json',
      });
      expect(requests).toHaveLength(3);
    });

    it('keeps the vendor’s code and message of an envelope sent with HTTP 500, as unavailable, retried when safe', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter } = adapterFor(account(baseUrl), { fetchImpl: impl, maxAttempts: 3, breakerThreshold: 100 });
      sim.setFaults({ errorRate: 1, errorMode: 'vendor' });
      const errors: VendorError[] = [];
      for (let i = 0; i < 10; i++) {
        requests.length = 0;
        const error = (await adapter.testConnection().then(
          () => undefined,
          (thrown: unknown) => thrown,
        )) as VendorError;
        errors.push(error);
        // A 5xx is retried for a safe request; the last attempt's answer is the one reported.
        if (error.vendorCode === '50001') expect(requests.length).toBeGreaterThan(1);
      }
      expect(errors.map((error) => [error.kind, error.vendorCode, error.vendorMessage])).toContainEqual([
        'unavailable',
        '50001',
        'internal error',
      ]);
      expect(errors.map((error) => error.vendorCode)).not.toContain('500');
    });

    it('times out a request that never answers', async () => {
      const { adapter } = adapterFor(account(baseUrl, { timeoutMs: 200 }), { maxAttempts: 1 });
      sim.setFaults({ hangRate: 1 });
      await expect(adapter.testConnection()).rejects.toMatchObject({ kind: 'timeout' });
    });

    it('maps 429 to rate_limited with the Retry-After the vendor sent', async () => {
      const { adapter } = adapterFor(account(baseUrl), { maxAttempts: 1 });
      sim.setFaults({ rpsCap: 1 });
      await adapter.testConnection();
      await expect(adapter.testConnection()).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
    });

    it('opens the circuit after consecutive failures and then fails fast', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter, transport } = adapterFor(account(baseUrl), {
        fetchImpl: impl,
        maxAttempts: 1,
        breakerThreshold: 3,
      });
      sim.setFaults({ errorRate: 1, errorMode: 'http' });
      for (let i = 0; i < 3; i++) await expect(adapter.testConnection()).rejects.toMatchObject({ kind: 'unavailable' });
      expect(transport.circuitState).toBe('open');
      requests.length = 0;
      await expect(adapter.testConnection()).rejects.toMatchObject({ kind: 'unavailable', vendorCode: 'circuit_open' });
      expect(requests).toHaveLength(0);
    });

    it('does not count a permanent vendor error towards the circuit, nor retry it', async () => {
      const { requests, impl } = recordingFetch();
      const { adapter, transport } = adapterFor(account(baseUrl), {
        fetchImpl: impl,
        maxAttempts: 3,
        breakerThreshold: 2,
      });
      for (let i = 0; i < 3; i++)
        await expect(adapter.pollTasks(['424242'])).rejects.toMatchObject({ kind: 'not_found' });
      expect(requests).toHaveLength(3);
      expect(transport.circuitState).toBe('closed');
    });
  });
});
