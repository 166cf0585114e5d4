import type { JobProducer } from '@fleetgate/queues';
import type { VendorAccountService, VendorAdapter } from '@fleetgate/vendors';
import type { CallbackInboxRepository, IncomingCallback, StoredCallback } from './callback-inbox.repository';
import { CallbackInbox } from './callback-inbox.service';

/**
 * The INSERT slot of the group commit under INSERTs that hang, finish late or fail: one INSERT in
 * flight while it is prompt, another beside each one running past 1 s, never more than four at once,
 * and the counting of them never leaves the inbox unable to start another.
 */
describe('CallbackInbox INSERT slot under stalled INSERTs', () => {
  const accountId = '00000000-0000-4000-8000-000000000001';
  let nextId = 0;
  /** Each INSERT sent, in order: its rows, and what lets the test commit or fail it. */
  let inserts: Array<{ rows: IncomingCallback[]; commit: () => void; fail: (error: Error) => void; settled: boolean }>;
  let inbox: CallbackInbox;

  const repository = {
    insertBatch: (rows: IncomingCallback[]) =>
      new Promise<StoredCallback[]>((resolve, reject) => {
        const insert = {
          rows,
          settled: false,
          commit: () => {
            insert.settled = true;
            resolve(rows.map((row) => ({ id: `id-${nextId++}`, account_id: row.accountId, dedupe_key: row.dedupeKey })));
          },
          fail: (error: Error) => {
            insert.settled = true;
            reject(error);
          },
        };
        inserts.push(insert);
      }),
  } as unknown as CallbackInboxRepository;
  const adapter = {
    capabilities: new Set(['callbacks']),
    parseCallback: ({ body }: { body: { taskId: number } }) => [
      { kind: 'task.progress', progress: { vendorTaskId: String(body.taskId), status: 'succeeded', vendorStatus: 3 } },
    ],
  } as unknown as VendorAdapter;
  const accounts = {
    verifyWebhook: () => Promise.resolve('ok'),
    adapterFor: () => Promise.resolve(adapter),
  } as unknown as VendorAccountService;
  const producer = { enqueue: () => Promise.resolve() } as unknown as JobProducer;

  const turns = async (count = 5) => {
    for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
  };
  /** A callback received, and whether (and how) it was answered. */
  const receive = (taskId: number) => {
    const answer: { settled?: 'ok' | 'error' } = {};
    const promise = inbox
      .receive('armcloud', accountId, { secret: 's' }, {}, { taskId, taskStatus: 3 })
      .then(() => (answer.settled = 'ok'))
      .catch(() => (answer.settled = 'error'));
    return Object.assign(answer, { promise });
  };
  const running = () => inserts.filter((insert) => !insert.settled).length;
  const sizes = () => inserts.map((insert) => insert.rows.length);

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    nextId = 0;
    inserts = [];
    inbox = new CallbackInbox(repository, accounts, producer);
  });
  afterEach(() => {
    inbox.onModuleDestroy();
    jest.useRealTimers();
  });

  it('never runs more than four INSERTs however many stall, and starts the next as soon as one of them ends', async () => {
    const callers = [];
    let maxRunning = 0;
    // Eight callbacks, each arriving after the INSERTs before it ran 5 s: four INSERTs go, then the rest wait.
    for (let taskId = 0; taskId < 8; taskId++) {
      callers.push(receive(taskId));
      await turns();
      maxRunning = Math.max(maxRunning, running());
      await jest.advanceTimersByTimeAsync(5_000);
      await turns();
      maxRunning = Math.max(maxRunning, running());
    }
    expect(maxRunning).toBe(4);
    expect(sizes()).toEqual([1, 1, 1, 1]);
    // One stalled INSERT ends: the callbacks waiting go in one INSERT at once (a slot is free: the
    // three still running are all stalled).
    inserts[2].commit();
    await turns();
    expect(sizes()).toEqual([1, 1, 1, 1, 4]);
    expect(running()).toBe(4);
    // That one is prompt: no other goes beside it until it stalls too (nothing waits anyway).
    inserts[4].commit();
    await turns();
    for (const insert of inserts) if (!insert.settled) insert.commit();
    await Promise.all(callers.map((caller) => caller.promise));
    expect(callers.map((caller) => caller.settled)).toEqual(Array(8).fill('ok'));
    // Nothing counted is left over: one INSERT at a time again, the next callbacks gather behind it.
    const first = receive(100);
    await turns();
    const behind = [receive(101), receive(102)];
    await turns();
    expect(sizes().slice(5)).toEqual([1]);
    inserts[5].commit();
    await turns();
    expect(sizes().slice(5)).toEqual([1, 2]);
    inserts[6].commit();
    await Promise.all([first.promise, ...behind.map((caller) => caller.promise)]);
    inbox.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not start another beside a prompt INSERT when a stalled one ends, and does once that one stalls', async () => {
    const stuck = receive(1);
    await turns();
    await jest.advanceTimersByTimeAsync(1_500);
    const second = receive(2);
    await turns();
    // The first stalled; the second went beside it and is prompt.
    expect(sizes()).toEqual([1, 1]);
    const third = receive(3);
    await turns();
    expect(sizes()).toEqual([1, 1]);
    // The stalled one ends while the prompt one runs: the prompt one still holds the slot.
    inserts[0].commit();
    await turns();
    expect(sizes()).toEqual([1, 1]);
    expect(stuck.settled).toBe('ok');
    // The second runs past 1 s: the third goes beside it.
    await jest.advanceTimersByTimeAsync(1_000);
    await turns();
    expect(sizes()).toEqual([1, 1, 1]);
    inserts[1].commit();
    inserts[2].commit();
    await Promise.all([second.promise, third.promise]);
    expect([second.settled, third.settled]).toEqual(['ok', 'ok']);
    // Only the apply job's 50 ms gathering timer is left, and the stop sends it.
    inbox.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('answers each caller of failed stalled INSERTs with an error and keeps its count right', async () => {
    const callers = [];
    for (let taskId = 0; taskId < 6; taskId++) {
      callers.push(receive(taskId));
      await turns();
      await jest.advanceTimersByTimeAsync(2_000);
      await turns();
    }
    expect(sizes()).toEqual([1, 1, 1, 1]);
    // All four fail (statement timeout, connection lost): their callers are answered with the error,
    // and the two waiting go in one INSERT.
    for (const insert of inserts.slice(0, 4)) insert.fail(new Error('canceling statement due to statement timeout'));
    await turns();
    expect(callers.slice(0, 4).map((caller) => caller.settled)).toEqual(Array(4).fill('error'));
    expect(sizes()).toEqual([1, 1, 1, 1, 2]);
    // That INSERT is prompt and alone: the counters of the failed ones are gone, or one more would
    // go beside it now.
    const next = receive(10);
    await turns();
    expect(sizes()).toEqual([1, 1, 1, 1, 2]);
    inserts[4].commit();
    await turns();
    expect(sizes()).toEqual([1, 1, 1, 1, 2, 1]);
    inserts[5].commit();
    await Promise.all([...callers.map((caller) => caller.promise), next.promise]);
    expect(callers.slice(4).map((caller) => caller.settled)).toEqual(['ok', 'ok']);
    expect(next.settled).toBe('ok');
    inbox.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fails a prompt INSERT before its stall timer and leaves neither a timer nor a stalled count behind', async () => {
    const first = receive(1);
    await turns();
    inserts[0].fail(new Error('connection terminated'));
    await first.promise;
    expect(first.settled).toBe('error');
    expect(jest.getTimerCount()).toBe(0);
    // Past the horizon of the cleared timer: nothing counts it as stalled, so one INSERT at a time.
    await jest.advanceTimersByTimeAsync(5_000);
    const second = receive(2);
    await turns();
    const third = receive(3);
    await turns();
    expect(sizes()).toEqual([1, 1]);
    inserts[1].commit();
    await turns();
    expect(sizes()).toEqual([1, 1, 1]);
    inserts[2].commit();
    await Promise.all([second.promise, third.promise]);
  });

  it('sends a full batch beside a slow INSERT rather than wait for it', async () => {
    // One INSERT in flight makes batches as large as the load allows, but only up to 500: past that,
    // waiting for the INSERT in flight gathers nothing more into the next one. While it runs slow and
    // not yet 1 s (a commit at 200 ms: slow WAL storage, synchronous replication, a checkpoint), the
    // gateway would store at most 500 callbacks per INSERT time (2,500 a second at 200 ms) where four
    // in flight stored four times that, and the callers behind would wait ever longer.
    const callers = Array.from({ length: 1_700 }, (_, taskId) => receive(taskId));
    await turns(10);
    // Three full batches go at once, no more than four INSERTs; the 200 left gather for the next.
    expect(sizes()).toEqual([500, 500, 500]);
    await jest.advanceTimersByTimeAsync(200);
    await turns();
    expect(sizes()).toEqual([500, 500, 500]);
    inserts[0].commit();
    await turns();
    // A partial batch still waits for the INSERTs in flight: it would only be smaller if sent now.
    expect(sizes()).toEqual([500, 500, 500]);
    for (const insert of inserts) if (!insert.settled) insert.commit();
    await turns();
    expect(sizes()).toEqual([500, 500, 500, 200]);
    inserts[3].commit();
    await Promise.all(callers.map((caller) => caller.promise));
    expect(callers.every((caller) => caller.settled === 'ok')).toBe(true);
    inbox.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('never sends more than four INSERTs at once, full batches or not', async () => {
    const callers = Array.from({ length: 3_000 }, (_, taskId) => receive(taskId));
    await turns(10);
    expect(sizes()).toEqual([500, 500, 500, 500]);
    await jest.advanceTimersByTimeAsync(5_000);
    await turns();
    expect(sizes()).toEqual([500, 500, 500, 500]);
    inserts[1].commit();
    await turns();
    expect(sizes()).toEqual([500, 500, 500, 500, 500]);
    for (let round = 0; round < 3; round++) {
      for (const insert of inserts) if (!insert.settled) insert.commit();
      await turns();
    }
    await Promise.all(callers.map((caller) => caller.promise));
    expect(sizes()).toEqual([500, 500, 500, 500, 500, 500]);
    inbox.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops with INSERTs stalled: each is still answered when it ends, and no timer is left', async () => {
    const callers = [];
    for (let taskId = 0; taskId < 5; taskId++) {
      callers.push(receive(taskId));
      await turns();
      await jest.advanceTimersByTimeAsync(2_000);
      await turns();
    }
    expect(sizes()).toEqual([1, 1, 1, 1]);
    inbox.onModuleDestroy();
    // Stalled INSERTs hold no timer of their own; nothing else is pending.
    expect(jest.getTimerCount()).toBe(0);
    inserts[0].commit();
    await turns();
    // The waiting callback still goes (the HTTP server is still open), and is answered.
    expect(sizes()).toEqual([1, 1, 1, 1, 1]);
    for (const insert of inserts) if (!insert.settled) insert.commit();
    await Promise.all(callers.map((caller) => caller.promise));
    expect(callers.map((caller) => caller.settled)).toEqual(Array(5).fill('ok'));
    expect(jest.getTimerCount()).toBe(0);
  });
});
