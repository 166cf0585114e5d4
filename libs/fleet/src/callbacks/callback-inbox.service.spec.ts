import type { JobProducer } from '@fleetgate/queues';
import type { VendorAccountService, VendorAdapter } from '@fleetgate/vendors';
import type { CallbackInboxRepository, IncomingCallback, StoredCallback } from './callback-inbox.repository';
import { CallbackInbox } from './callback-inbox.service';

/** An account whose secret is always right, of a vendor whose callbacks each hold one task's progress. */
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

/**
 * Apply jobs are enqueued for what several INSERTs stored, not one per INSERT: under load a job per
 * INSERT held a few dozen callbacks, and each job costs the gateway and the worker the same whatever
 * its size. The stored rows stay the record of what is owed (callbacks.sweep enqueues what no job
 * covered), so a job enqueued a moment later promises the same.
 */
describe('CallbackInbox apply jobs', () => {
  const accountId = '00000000-0000-4000-8000-000000000001';
  let nextId = 0;
  let enqueued: Array<{ inboxIds: string[]; jobId?: string }>;
  let insertGate: Array<() => void>;
  /** The rows of each INSERT, in the order they were sent. */
  let inserts: IncomingCallback[][];
  let inbox: CallbackInbox;

  const repository = {
    // Each INSERT waits for the test to let it commit, so that the test decides which calls share one.
    insertBatch: (rows: IncomingCallback[]) =>
      new Promise<StoredCallback[]>((resolve) => {
        inserts.push(rows);
        insertGate.push(() =>
          resolve(rows.map((row) => ({ id: `id-${nextId++}`, account_id: row.accountId, dedupe_key: row.dedupeKey }))),
        );
      }),
  } as unknown as CallbackInboxRepository;
  /** What an enqueue answers: at once, or never (Redis away: the queues' connection waits for it). */
  let redisAway: boolean;
  const producer = {
    enqueue: (_name: string, payload: { inboxIds: string[] }, options: { jobId?: string }) => {
      enqueued.push({ inboxIds: payload.inboxIds, jobId: options.jobId });
      return redisAway ? new Promise<void>(() => undefined) : Promise.resolve();
    },
  } as unknown as JobProducer;

  const receive = (taskId: number) =>
    inbox.receive('armcloud', accountId, { secret: 's' }, {}, { taskId, taskStatus: 3 });
  /** Lets the event loop run until `count` INSERTs wait, then commits them all. */
  const commitInserts = async (count: number) => {
    while (insertGate.length < count) await new Promise((resolve) => setImmediate(resolve));
    for (const commit of insertGate.splice(0)) commit();
  };

  beforeEach(() => {
    nextId = 0;
    redisAway = false;
    enqueued = [];
    insertGate = [];
    inserts = [];
    inbox = new CallbackInbox(repository, accounts, producer);
  });
  // A test that ends with ids gathering leaves the inbox's 50 ms timer running: it would fire in a later
  // test (on a loaded machine) and push its job into that test's `enqueued`.
  afterEach(() => inbox.onModuleDestroy());

  it('enqueues one apply job for callbacks stored by several INSERTs in turn', async () => {
    // Three callbacks, each arriving while the INSERT before it is in flight: three INSERTs.
    const first = receive(1);
    await commitInserts(1);
    await first;
    const second = receive(2);
    await commitInserts(1);
    await second;
    const third = receive(3);
    await commitInserts(1);
    await third;
    inbox.onModuleDestroy();
    expect(enqueued).toEqual([{ inboxIds: ['id-0', 'id-1', 'id-2'], jobId: 'callbacks.apply/id-0' }]);
  });

  it('gathers the callbacks that arrive while an INSERT is in flight into the next one', async () => {
    // One INSERT at a time: a burst is stored in as few statements as it can be, each costing
    // PostgreSQL and the gateway about the same whatever its size (`npm run bench:callbacks`).
    const first = receive(1);
    while (inserts.length < 1) await new Promise((resolve) => setImmediate(resolve));
    const burst = [receive(2), receive(3), receive(4)];
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(inserts.map((rows) => rows.length)).toEqual([1]);
    await commitInserts(1);
    await first;
    await commitInserts(1);
    await Promise.all(burst);
    expect(inserts.map((rows) => rows.length)).toEqual([1, 3]);
  });

  it('lets the callbacks behind an INSERT that does not return go in another one, rather than wait for it', async () => {
    // An INSERT can hang for long: waiting on a lock on one of its keys (another transaction writing
    // that row), until DATABASE_STATEMENT_TIMEOUT_MS (60 s), or on a connection that died silently
    // (no client-side timeout: until TCP gives up, minutes). With one INSERT in flight and nothing
    // else, every callback behind it waited with it: one slow key stalled every caller's intake.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const turns = async (count: number) => {
      for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      const stuck = receive(1);
      let stuckAnswered = false;
      void stuck.then(() => (stuckAnswered = true));
      await turns(5);
      const behind = [receive(2), receive(3)];
      await turns(5);
      // While the INSERT in flight is prompt, the callbacks behind it wait for it (and gather).
      expect(inserts.map((rows) => rows.length)).toEqual([1]);
      await jest.advanceTimersByTimeAsync(5_000);
      await turns(5);
      expect(inserts.map((rows) => rows.length)).toEqual([1, 2]);
      insertGate[1]();
      await Promise.all(behind);
      expect(stuckAnswered).toBe(false);
      // However many hang, no more than four INSERTs (four pool connections) are in flight at once.
      // Callbacks arriving one by one, each while the INSERTs before it hang: three more INSERTs go
      // beside the first, and then the callbacks wait.
      const more: Array<Promise<unknown>> = [];
      for (let round = 0; round < 5; round++) {
        more.push(receive(10 + round));
        await turns(5);
        await jest.advanceTimersByTimeAsync(5_000);
      }
      expect(inserts.map((rows) => rows.length)).toEqual([1, 2, 1, 1, 1]);
      for (const commit of insertGate.splice(0)) commit();
      await stuck;
      await commitInserts(1);
      await Promise.all(more);
      expect(inserts.map((rows) => rows.length)).toEqual([1, 2, 1, 1, 1, 2]);
      inbox.onModuleDestroy();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('enqueues a job without waiting once 500 stored callbacks have gathered, and none beyond 500', async () => {
    const received = Array.from({ length: 501 }, (_, index) => receive(index));
    // 500 to an INSERT: two INSERTs, the first enqueues its 500 at once, the second one waits.
    await commitInserts(1);
    await commitInserts(1);
    await Promise.all(received);
    expect(enqueued.map((job) => job.inboxIds.length)).toEqual([500]);
    inbox.onModuleDestroy();
    expect(enqueued.map((job) => job.inboxIds.length)).toEqual([500, 1]);
  });

  it('enqueues what gathered when the module stops, and nothing when nothing is owed', async () => {
    inbox.onModuleDestroy();
    expect(enqueued).toEqual([]);
    const received = receive(7);
    await commitInserts(1);
    await received;
    inbox.onModuleDestroy();
    expect(enqueued).toEqual([{ inboxIds: ['id-0'], jobId: 'callbacks.apply/id-0' }]);
  });

  it('enqueues at once what commits after the module began to stop, and leaves no timer behind', async () => {
    // Nest runs onModuleDestroy before it closes the HTTP server, and closes the queues only after it:
    // an INSERT in flight (or a request arriving) meanwhile commits once the gathered ids went out. A
    // 50 ms timer then would fire after the queues closed, leaving the callback to a sweep a minute on.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const received = receive(8);
      while (insertGate.length < 1) await new Promise((resolve) => setImmediate(resolve));
      inbox.onModuleDestroy();
      await commitInserts(1);
      await received;
      expect(enqueued).toEqual([{ inboxIds: ['id-0'], jobId: 'callbacks.apply/id-0' }]);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers and enqueues the callbacks still gathering when the module stops with an INSERT in flight', async () => {
    // Nest destroys the module before it closes the HTTP server: the INSERT in flight and the callbacks
    // waiting behind it are still stored, answered and enqueued, none lost, none stored twice.
    const first = receive(20);
    while (inserts.length < 1) await new Promise((resolve) => setImmediate(resolve));
    const behind = [receive(21), receive(22)];
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    inbox.onModuleDestroy();
    await commitInserts(1);
    await commitInserts(1);
    expect(await Promise.all([first, ...behind])).toEqual(Array(3).fill({ accepted: true, duplicate: false }));
    expect(inserts.map((rows) => rows.map((row) => (row.payload as { taskId: number }).taskId))).toEqual([[20], [21, 22]]);
    expect(enqueued.flatMap((job) => job.inboxIds)).toEqual(['id-0', 'id-1', 'id-2']);
  });

  it('stops without waiting for Redis when the gathered job cannot be sent', async () => {
    // The queues' connection never gives up on a command (maxRetriesPerRequest: null): while Redis is
    // away an add waits for it, and a shutdown awaiting it would never end. The rows stay owed, and the
    // add goes out if Redis comes back before the queue closes.
    redisAway = true;
    const received = receive(9);
    await commitInserts(1);
    await received;
    let stopped = false;
    void Promise.resolve(inbox.onModuleDestroy()).then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(true);
    expect(enqueued).toEqual([{ inboxIds: ['id-0'], jobId: 'callbacks.apply/id-0' }]);
  });
});

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
