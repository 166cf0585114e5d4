import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { CallbackApplier, CallbackInbox } from '@fleetgate/fleet';
import { JobProducer } from '@fleetgate/queues';
import { VendorAccountService } from '@fleetgate/vendors';
import { PrismaService } from '@fleetgate/persistence';
import { RedisConnections } from '@fleetgate/redis';
import { createArmcloudSimulator, DEMO_CREDENTIALS, SimulatorServer } from '@fleetgate/simulators';
import { adminToken, type RunningGateway, startGateway } from './support/gateway-harness';
import { TEST_DATABASE_URL, testConfig } from './support/test-env';
import { until } from './support/until';
import { startWorker } from './support/worker-harness';

/**
 * The callback inbox: a burst is stored by group commit, each callback applied once however many
 * apply jobs cover it, and callbacks whose apply job never ran (lost with Redis, or never enqueued)
 * are found by the sweep and applied. A callback that cannot be applied fails alone, and after
 * CALLBACK_MAX_ATTEMPTS it is dead-lettered. A state report repeated after another state is applied again.
 */
describe('callback inbox (e2e: gateway, worker, PostgreSQL and Redis)', () => {
  const prefix = `fg-inbox-${process.pid}-${Date.now()}`;
  const env = { REDIS_PREFIX: prefix, CALLBACK_MAX_ATTEMPTS: '3' };
  let sim: SimulatorServer;
  let gateway: RunningGateway;
  let worker: INestApplicationContext | undefined;
  let prisma: PrismaService;
  let applier: CallbackApplier;
  let account: { id: string; webhookPath: string; webhookSecret: string };
  let nextTaskId = 1_000;

  const post = async (body: unknown) => {
    const response = await fetch(`${gateway.baseUrl}${account.webhookPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fleetgate-webhook-secret': account.webhookSecret },
      body: JSON.stringify(body),
    });
    return { status: response.status, receipt: (await response.json()) as { duplicate: boolean } };
  };
  /** An ArmCloud task callback (taskStatus 3: done) for a task no target has: applied as one event. */
  const callback = () => ({ taskBusinessType: 1000, padCode: 'AC0001', taskId: nextTaskId++, taskStatus: 3 });
  /** Posts callbacks (none applied yet: no worker runs) and answers their inbox ids. */
  const stored = async (count: number) => {
    const bodies = Array.from({ length: count }, callback);
    await Promise.all(bodies.map(post));
    const rows = await prisma.callbackInbox.findMany({
      where: { accountId: account.id, OR: bodies.map((body) => ({ payload: { equals: body } })) },
      select: { id: true },
    });
    return rows.map((row) => row.id);
  };

  /**
   * Callbacks written straight into the inbox, with no apply job enqueued (so that only the test
   * applies them); `payload` defaults to a task callback.
   */
  const inserted = async (payloads: object[], receivedAt?: Date) => {
    const ids: string[] = [];
    for (const payload of payloads) {
      const row = await prisma.callbackInbox.create({
        data: { vendor: 'armcloud', accountId: account.id, dedupeKey: randomUUID(), payload, receivedAt },
        select: { id: true },
      });
      ids.push(row.id);
    }
    return ids;
  };
  /** A stored callback no parser reading applies (kept from an earlier reading of the document, say). */
  const poisoned = { padCode: 'AC0001', note: 'neither taskId, padStatus nor deviceStatus' };

  beforeAll(async () => {
    sim = new SimulatorServer(createArmcloudSimulator, { fleetSize: 3, timeScale: 0 });
    const simUrl = await sim.listen(0);
    gateway = await startGateway(env);
    prisma = gateway.app.get(PrismaService);
    applier = gateway.app.get(CallbackApplier);
    const token = await adminToken(gateway);
    const response = await fetch(`${gateway.baseUrl}/vendor-accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        vendor: 'armcloud',
        name: `inbox-${Date.now()}`,
        baseUrl: simUrl,
        credentials: DEMO_CREDENTIALS.armcloud,
      }),
    });
    account = (await response.json()) as typeof account;
  });

  afterAll(async () => {
    await worker?.close();
    await gateway?.close();
    await sim?.close();
  });

  it('stores a concurrent burst once each, and acknowledges the repeats in it as duplicates', async () => {
    const bodies = Array.from({ length: 40 }, callback);
    const answers = await Promise.all([...bodies, ...bodies.slice(0, 10)].map(post));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((answer) => answer.receipt.duplicate)).toHaveLength(10);
    const rows = await prisma.callbackInbox.count({
      where: { accountId: account.id, OR: bodies.map((body) => ({ payload: { equals: body } })) },
    });
    expect(rows).toBe(40);
  });

  it('refuses alone a callback the INSERT cannot store (a NUL, a lone surrogate, deep nesting): those sent with it are stored', async () => {
    // JSON carries them all; jsonb refuses the first three and JSON.stringify cannot write the last,
    // and one group-commit INSERT stores the callbacks arriving together: such a body must be refused
    // before it joins one, or it fails the statement of every caller that shared it.
    const bodies = Array.from({ length: 20 }, callback);
    const hostile = [
      JSON.stringify({ ...callback(), note: 'a\u0000b' }),
      JSON.stringify({ ...callback(), note: '\ud800' }),
      JSON.stringify({ ...callback(), ['\u0000']: 1 }),
      // A state report is keyed without serialising its body: only the INSERT would, and overflow.
      `{"padStatus":10,"padCode":"AC0001","deep":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
    ];
    // Interleaved, so that the hostile bodies share INSERTs with the others.
    const sent = bodies.flatMap((body, index) => {
      const text = JSON.stringify(body);
      return index < hostile.length ? [text, hostile[index]] : [text];
    });
    const answers = await Promise.all(
      sent.map(async (text) => {
        const response = await fetch(`${gateway.baseUrl}${account.webhookPath}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-fleetgate-webhook-secret': account.webhookSecret },
          body: text,
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    expect(answers.filter((_, index) => !hostile.includes(sent[index]))).toEqual(bodies.map(() => 200));
    expect(answers.filter((_, index) => hostile.includes(sent[index]))).toEqual([400, 400, 400, 400]);
    const rows = await prisma.callbackInbox.count({
      where: { accountId: account.id, OR: bodies.map((body) => ({ payload: { equals: body } })) },
    });
    expect(rows).toBe(bodies.length);
  });

  it('acknowledges a callback posted to its account’s path in capitals as new, and its repeat as a duplicate', async () => {
    // A UUID is the same in either case (the route accepts both); the receipt must not depend on it.
    const path = account.webhookPath.replace(account.id, account.id.toUpperCase());
    expect(path).not.toBe(account.webhookPath);
    const body = callback();
    const send = async () => {
      const response = await fetch(`${gateway.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-fleetgate-webhook-secret': account.webhookSecret },
        body: JSON.stringify(body),
      });
      return { status: response.status, duplicate: ((await response.json()) as { duplicate: boolean }).duplicate };
    };
    expect(await send()).toEqual({ status: 200, duplicate: false });
    expect(await send()).toEqual({ status: 200, duplicate: true });
    expect(await prisma.callbackInbox.count({ where: { accountId: account.id, payload: { equals: body } } })).toBe(1);
  });

  it('answers a callback the database fails to store with 500 in the error envelope, its request id and nothing of the failure', async () => {
    const body = { ...callback(), taskId: 987_654_321 };
    // A failure no domain error names, as a database refusing the INSERT.
    const constraint = `review_refuses_${process.pid}`;
    await prisma.$executeRawUnsafe(
      `ALTER TABLE callback_inbox ADD CONSTRAINT ${constraint} CHECK (payload->>'taskId' <> '987654321') NOT VALID`,
    );
    try {
      const response = await fetch(`${gateway.baseUrl}${account.webhookPath}?token=${account.webhookSecret}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(JSON.parse(text)).toEqual({
        error: { code: 'internal', message: expect.any(String), requestId: response.headers.get('x-request-id') },
      });
      expect(text).not.toContain(constraint);
      expect(text).not.toContain(account.webhookSecret);
    } finally {
      await prisma.$executeRawUnsafe(`ALTER TABLE callback_inbox DROP CONSTRAINT ${constraint}`);
    }
  });

  /**
   * Stores `body`, then opens a transaction that deletes its row and keeps the row's lock until the
   * caller ends it: a redelivery's INSERT waits for that lock.
   */
  async function holdStoredRow(body: Record<string, unknown>): Promise<Client> {
    expect(await post(body)).toMatchObject({ status: 200, receipt: { duplicate: false } });
    const holder = new Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`DELETE FROM callback_inbox WHERE account_id = $1 AND payload = $2::jsonb`, [
      account.id,
      JSON.stringify(body),
    ]);
    return holder;
  }

  /** INSERTs of the inbox waiting for a row lock. */
  const insertsWaitingForLock = () =>
    prisma.$queryRaw<Array<{ pid: number }>>`
      SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO callback_inbox%'`;

  it('stores and answers other callbacks while one INSERT waits for a lock on its key, and answers that one once it may go', async () => {
    // One group-commit INSERT in flight: an INSERT waiting for a row lock (here a transaction deleting
    // the row a redelivery conflicts with) must not hold every other caller's callback until the lock
    // goes or DATABASE_STATEMENT_TIMEOUT_MS (60 s) cancels it.
    const body = callback();
    const holder = await holdStoredRow(body);
    try {
      const redelivered = post(body);
      await until(insertsWaitingForLock, (rows) => rows.length >= 1, 'the redelivery’s INSERT waiting for the lock');
      const others = Array.from({ length: 5 }, callback);
      const answered = await Promise.race([
        Promise.all(others.map(post)),
        new Promise<'stalled'>((resolve) => setTimeout(() => resolve('stalled'), 5_000)),
      ]);
      expect(answered).toEqual(others.map(() => ({ status: 200, receipt: { accepted: true, duplicate: false } })));
      await holder.query('ROLLBACK');
      expect(await redelivered).toMatchObject({ status: 200, receipt: { duplicate: true } });
    } finally {
      await holder.end();
    }
    expect(await prisma.callbackInbox.count({ where: { accountId: account.id, payload: { equals: body } } })).toBe(1);
  });

  for (const [failure, end] of [
    ['cancelled (as by a statement timeout)', 'pg_cancel_backend'],
    ['whose connection is terminated', 'pg_terminate_backend'],
  ] as const) {
    it(`answers every caller of an INSERT ${failure} with a 5xx in the error envelope, stores none of them, and stores the next ones`, async () => {
      const locked = callback();
      const holder = await holdStoredRow(locked);
      try {
        // Sent together, so that most share the INSERT that waits for the lock.
        const bodies = [locked, ...Array.from({ length: 8 }, callback)];
        const sending = Promise.all(
          bodies.map(async (body) => {
            const response = await fetch(`${gateway.baseUrl}${account.webhookPath}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-fleetgate-webhook-secret': account.webhookSecret },
              body: JSON.stringify(body),
            });
            return { status: response.status, requestId: response.headers.get('x-request-id'), body: await response.json() };
          }),
        );
        const waiting = await until(insertsWaitingForLock, (rows) => rows.length >= 1, 'the INSERT waiting for the lock');
        await prisma.$queryRawUnsafe(`SELECT ${end}(${Number(waiting[0].pid)})`);
        const answers = await sending;
        await holder.query('ROLLBACK');
        const failed = answers.filter((answer) => answer.status !== 200);
        // The callback waiting for the lock was in the INSERT that failed.
        expect(answers[0].status).toBeGreaterThanOrEqual(500);
        for (const answer of failed) {
          expect(answer.status).toBe(500);
          expect(answer.body).toEqual({
            error: { code: 'internal', message: expect.any(String), requestId: answer.requestId },
          });
        }
        const storedNow = await Promise.all(
          bodies.map((body) =>
            prisma.callbackInbox.count({ where: { accountId: account.id, payload: { equals: body } } }),
          ),
        );
        // Acknowledged means stored; refused means not stored (the statement was undone), but for the
        // first, stored before.
        expect(storedNow.slice(1)).toEqual(answers.slice(1).map((answer) => (answer.status === 200 ? 1 : 0)));
        expect(storedNow[0]).toBe(1);
        // The vendor retries what was refused: stored now, the first one as a duplicate; and new ones go.
        const retried = await Promise.all(bodies.filter((_, index) => answers[index].status !== 200).map(post));
        expect(retried.map((answer) => answer.status)).toEqual(failed.map(() => 200));
        expect(retried[0].receipt.duplicate).toBe(true);
        expect(retried.slice(1).every((answer) => !answer.receipt.duplicate)).toBe(true);
        expect(await post(callback())).toMatchObject({ status: 200, receipt: { duplicate: false } });
      } finally {
        await holder.end();
      }
    });
  }

  it('two gateways receiving the same callbacks at once store each once and acknowledge it new exactly once', async () => {
    // Two CallbackInbox instances (as two gateway processes), each with its INSERT in flight on a
    // connection of its own, the same dedupe keys in both, a vendor redelivering meanwhile.
    const own = gateway.app.get(CallbackInbox);
    // The same repository (the gateway's pool): each INSERT still takes a connection of its own.
    const twin = new CallbackInbox(
      Reflect.get(own, 'inbox') as ConstructorParameters<typeof CallbackInbox>[0],
      gateway.app.get(VendorAccountService),
      gateway.app.get(JobProducer),
    );
    const bodies = Array.from({ length: 200 }, callback);
    const receive = (inbox: CallbackInbox, body: unknown) =>
      inbox.receive('armcloud', account.id, { secret: account.webhookSecret }, {}, body);
    const receipts = await Promise.all(
      bodies.flatMap((body, index) => [
        receive(index % 2 ? own : twin, body),
        receive(index % 2 ? twin : own, body),
        ...(index % 5 === 0 ? [receive(twin, body)] : []),
      ]),
    );
    expect(receipts.filter((receipt) => !receipt.duplicate)).toHaveLength(bodies.length);
    expect(receipts.filter((receipt) => receipt.duplicate)).toHaveLength(bodies.length + bodies.length / 5);
    const rows = await prisma.callbackInbox.count({
      where: { accountId: account.id, OR: bodies.map((body) => ({ payload: { equals: body } })) },
    });
    expect(rows).toBe(bodies.length);
    twin.onModuleDestroy();
  });

  it('applies each callback once when two apply jobs cover the same callbacks at once', async () => {
    const ids = await stored(30);
    expect(ids).toHaveLength(30);
    const [first, second] = await Promise.all([applier.applyAll(ids), applier.applyAll(ids)]);
    expect(first.applied + second.applied).toBe(30);
    expect((await applier.applyAll(ids)).applied).toBe(0);
    const applied = await prisma.callbackInbox.findMany({ where: { id: { in: ids } } });
    expect(applied.every((row) => row.appliedAt !== null && row.claimedUntil === null && row.events === 1)).toBe(true);
  });

  it('skips a callback another job holds until that claim runs out', async () => {
    const [id] = await stored(1);
    await prisma.callbackInbox.update({ where: { id }, data: { claimedUntil: new Date(Date.now() + 60_000) } });
    expect((await applier.applyAll([id])).applied).toBe(0);
    // The holder died: its claim ran out.
    await prisma.callbackInbox.update({ where: { id }, data: { claimedUntil: new Date(Date.now() - 1_000) } });
    expect((await applier.applyAll([id])).applied).toBe(1);
  });

  it('applies the rest of a batch when one callback of it cannot be applied, and keeps that one with its error', async () => {
    const [first, poison, second] = await inserted([callback(), poisoned, callback()]);
    const result = await applier.applyAll([first, poison, second]);
    expect(result.applied).toBe(2);
    const rows = await prisma.callbackInbox.findMany({ where: { id: { in: [first, poison, second] } } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(first)!.appliedAt).not.toBeNull();
    expect(byId.get(second)!.appliedAt).not.toBeNull();
    expect(byId.get(poison)).toMatchObject({ appliedAt: null, claimedUntil: null, attempts: 1, deadLetteredAt: null });
    expect(byId.get(poison)!.error).toMatch(/unrecognised callback/);
  });

  it('dead-letters a callback after CALLBACK_MAX_ATTEMPTS failed applies, and the sweep passes over it', async () => {
    const longAgo = new Date(Date.now() - 3_600_000);
    const [poison] = await inserted([poisoned], longAgo);
    for (let attempt = 1; attempt <= 3; attempt++) expect((await applier.applyAll([poison])).applied).toBe(0);
    const dead = await prisma.callbackInbox.findUniqueOrThrow({ where: { id: poison } });
    expect(dead).toMatchObject({ appliedAt: null, attempts: 3 });
    expect(dead.deadLetteredAt).not.toBeNull();
    expect(dead.error).toMatch(/unrecognised callback/);
    // A job still covering it leaves it alone.
    await applier.applyAll([poison]);
    expect((await prisma.callbackInbox.findUniqueOrThrow({ where: { id: poison } })).attempts).toBe(3);
    // The sweep takes the callbacks behind it, oldest first, and not the dead letter.
    const [behind] = await inserted([callback()], new Date(longAgo.getTime() + 1_000));
    const owed = await applier.unappliedIds(0);
    expect(owed).toContain(behind);
    expect(owed).not.toContain(poison);
    const metrics = await fetch(`${gateway.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${await adminToken(gateway)}` },
    });
    expect(await metrics.text()).toMatch(/^fleetgate_callbacks_dead_lettered [1-9]/m);
  });

  it('enqueues callbacks whose apply job was lost, and a worker applies them', async () => {
    const ids = await stored(12);
    // The apply jobs the gateway enqueued are lost (Redis lost its data, or the gateway died first).
    const redis = new RedisConnections(testConfig(env));
    const inbound = `${redis.queuePrefix('inbound')}:inbound:`;
    const keys = (await redis.keysOfInstall()).filter((key) => key.startsWith(inbound));
    // One DEL a key: on a cluster the keys are in many slots.
    await Promise.all(keys.map((key) => redis.commands.del(key)));
    await redis.onModuleDestroy();
    expect(await prisma.callbackInbox.count({ where: { id: { in: ids }, appliedAt: null } })).toBe(12);

    expect(await applier.enqueueUnapplied(0, 'e2e')).toBeGreaterThanOrEqual(1);
    worker = await startWorker(env);
    await until(
      () => prisma.callbackInbox.count({ where: { id: { in: ids }, appliedAt: null } }),
      (unapplied) => unapplied === 0,
      'the swept callbacks being applied',
    );
  });

  it('purges applied callbacks past their retention, keeps newer and unapplied ones, and then takes the same body as new', async () => {
    worker ??= await startWorker(env);
    const [oldApplied, oldUnapplied, recent] = await stored(3);
    // The worker applies them; one is then made owed again, and held by a job so that no sweep
    // applies it meanwhile.
    await until(
      () => prisma.callbackInbox.count({ where: { id: { in: [oldApplied, oldUnapplied] }, appliedAt: null } }),
      (unapplied) => unapplied === 0,
      'the callbacks being applied',
    );
    const longAgo = new Date(Date.now() - 100 * 3_600_000);
    await prisma.callbackInbox.update({ where: { id: oldApplied }, data: { receivedAt: longAgo } });
    await prisma.callbackInbox.update({
      where: { id: oldUnapplied },
      data: { receivedAt: longAgo, appliedAt: null, claimedUntil: new Date(Date.now() + 600_000) },
    });
    const purgedBody = (await prisma.callbackInbox.findUniqueOrThrow({ where: { id: oldApplied } })).payload;

    expect(await applier.purgeApplied(72)).toBeGreaterThanOrEqual(1);
    const left = await prisma.callbackInbox.findMany({
      where: { id: { in: [oldApplied, oldUnapplied, recent] } },
    });
    expect(left.map((row) => row.id).sort()).toEqual([oldUnapplied, recent].sort());
    // Its dedupe key went with it: the vendor sending it again now is a new callback.
    expect((await post(purgedBody)).receipt.duplicate).toBe(false);
  });

  it('a device going 14, 10, 14 through three callbacks ends in the 14 state: a repeated state is a new report', async () => {
    worker ??= await startWorker(env);
    const padCode = `AC-FLAP-${Date.now()}`;
    const device = await prisma.device.create({
      data: { vendor: 'armcloud', accountId: account.id, vendorRef: padCode, name: 'flapping pad' },
    });
    const receipts = [];
    for (const padStatus of [14, 10, 14]) receipts.push(await post({ padStatus, padCode }));
    const ofDevice = { accountId: account.id, payload: { path: ['padCode'], equals: padCode } };
    await until(
      () => prisma.callbackInbox.count({ where: { ...ofDevice, appliedAt: null } }),
      (unapplied) => unapplied === 0,
      'the state callbacks being applied',
    );
    // 14 is Exception: offline. 10 is Running: online.
    expect((await prisma.device.findUniqueOrThrow({ where: { id: device.id } })).status).toBe('offline');
    expect(receipts.map((answer) => answer.receipt.duplicate)).toEqual([false, false, false]);
    expect(await prisma.callbackInbox.count({ where: ofDevice })).toBe(3);
  });

  it('a concurrent burst with repeats (in the same batch and after it) is stored once each, repeats acknowledged as duplicates, each applied once', async () => {
    worker ??= await startWorker(env);
    const bodies = Array.from({ length: 300 }, callback);
    // Every third body twice in the same burst, right behind itself (so sharing its INSERT) or at the end.
    const burst = bodies.flatMap((body, index) => (index % 6 === 0 ? [body, body] : [body]));
    burst.push(...bodies.filter((_, index) => index % 6 === 3));
    const answers = await Promise.all(burst.map(post));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((answer) => answer.receipt.duplicate)).toHaveLength(100);
    const ofBurst = { accountId: account.id, OR: bodies.map((body) => ({ payload: { equals: body } })) };
    await until(
      () => prisma.callbackInbox.count({ where: { ...ofBurst, appliedAt: null } }),
      (unapplied) => unapplied === 0,
      'the burst being applied',
    );
    // The vendor retries after they were applied: acknowledged, not stored or applied again.
    const retried = await Promise.all(bodies.slice(0, 50).map(post));
    expect(retried.every((answer) => answer.status === 200 && answer.receipt.duplicate)).toBe(true);
    const rows = await prisma.callbackInbox.findMany({ where: ofBurst });
    expect(rows).toHaveLength(300);
    // Each applied once: one event each, no claim left, no failed attempt.
    expect(rows.filter((row) => row.appliedAt === null || row.events !== 1 || row.attempts !== 0)).toEqual([]);
  });
});
