import type { HttpAdapterHost } from '@nestjs/core';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Prisma, PrismaService } from '@fleetgate/persistence';
import {
  factsOfPayload,
  isOperationLogged,
  OPERATION_LOG_COLUMNS,
  OperationLogRecorder,
  targetIdOfParams,
} from './operation-log-recorder';

describe('what the operation log records', () => {
  it('logs changing requests, but not webhooks, sign-in or refresh', () => {
    expect(isOperationLogged('POST', '/tasks')).toBe(true);
    expect(isOperationLogged('DELETE', '/api-keys/1')).toBe(true);
    expect(isOperationLogged('POST', '/auth/logout')).toBe(true);
    expect(isOperationLogged('GET', '/tasks')).toBe(false);
    expect(isOperationLogged('POST', '/webhooks/armcloud/1')).toBe(false);
    expect(isOperationLogged('POST', '/auth/login')).toBe(false);
    expect(isOperationLogged('POST', '/auth/refresh/')).toBe(false);
  });

  it('takes the id parameter, else the last named one', () => {
    expect(targetIdOfParams({ id: 'a', other: 'b' })).toBe('a');
    expect(targetIdOfParams({ vendor: 'gizwits', accountId: 'acc' })).toBe('acc');
    expect(targetIdOfParams({ '*': 'api/queues' })).toBeUndefined();
    expect(targetIdOfParams(undefined)).toBeUndefined();
  });

  it('reads only the created id or the error code from an answer', () => {
    expect(factsOfPayload(201, JSON.stringify({ id: 'x', secret: 's' }))).toEqual({ createdId: 'x' });
    expect(factsOfPayload(400, JSON.stringify({ error: { code: 'validation_failed', message: 'm' } }))).toEqual({
      errorCode: 'validation_failed',
    });
    expect(factsOfPayload(200, '[1,2]')).toEqual({});
    expect(factsOfPayload(200, '{not json')).toEqual({});
  });
});

describe('OperationLogRecorder', () => {
  let fastify: FastifyInstance;
  let recorder: OperationLogRecorder;
  let batches: Array<Array<Record<string, unknown>>>;

  beforeEach(async () => {
    batches = [];
    // The rows back from the INSERT's array parameters, one per column in OPERATION_LOG_COLUMNS.
    const prisma = {
      $executeRaw: async (statement: Prisma.Sql) => {
        const columns = statement.values.filter((value) => Array.isArray(value)) as unknown[][];
        batches.push(
          columns[0].map((_, index) =>
            Object.fromEntries(OPERATION_LOG_COLUMNS.map(([field], column) => [field, columns[column][index]])),
          ),
        );
        return columns[0].length;
      },
    } as unknown as PrismaService;
    fastify = Fastify();
    recorder = new OperationLogRecorder(
      { httpAdapter: { getInstance: () => fastify } } as unknown as HttpAdapterHost,
      prisma,
    );
    recorder.onModuleInit();
    fastify.addHook('preHandler', async (request) => {
      if (request.headers.authorization) {
        Object.assign(request, { principal: { userId: '6f1c1a3e-0d7b-4c55-9a55-1d2b3c4d5e6f', email: 'a@b.c' } });
      }
    });
    fastify.post('/things', async () => ({ id: 'thing-1', secret: 'do-not-keep' }));
    fastify.patch('/things/:id', async (_request, reply) =>
      reply.code(400).send({ error: { code: 'validation_failed', message: 'bad', requestId: 'r' } }),
    );
    fastify.get('/things', async () => []);
    await fastify.ready();
  });

  afterEach(async () => {
    await fastify.close();
  });

  const all = () => batches.flat();

  it('records who, which route and target, the outcome and the error code, and no body', async () => {
    await fastify.inject({ method: 'POST', url: '/things?x=1', headers: { authorization: 'yes' }, payload: {} });
    await fastify.inject({ method: 'PATCH', url: '/things/t-9', payload: { password: 'hunter2' } });
    await fastify.inject({ method: 'GET', url: '/things' });
    await recorder.flush();

    expect(all()).toEqual([
      expect.objectContaining({
        userId: '6f1c1a3e-0d7b-4c55-9a55-1d2b3c4d5e6f',
        actor: 'a@b.c',
        method: 'POST',
        route: '/things',
        path: '/things',
        targetId: 'thing-1',
        statusCode: 200,
        outcome: 'succeeded',
        errorCode: null,
      }),
      expect.objectContaining({
        userId: null,
        route: '/things/:id',
        path: '/things/t-9',
        targetId: 't-9',
        statusCode: 400,
        outcome: 'failed',
        errorCode: 'validation_failed',
      }),
    ]);
    const stored = JSON.stringify(all());
    expect(stored).not.toContain('do-not-keep');
    expect(stored).not.toContain('hunter2');
  });

  it('writes in batches: after a short wait, or at once when 200 rows are waiting', async () => {
    await fastify.inject({ method: 'POST', url: '/things' });
    expect(batches).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(batches.map((batch) => batch.length)).toEqual([1]);

    await Promise.all(Array.from({ length: 200 }, () => fastify.inject({ method: 'POST', url: '/things' })));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches.map((batch) => batch.length)).toEqual([1, 200]);
  });

  it('writes what is left when the application shuts down', async () => {
    await fastify.inject({ method: 'POST', url: '/things' });
    await recorder.onModuleDestroy();
    expect(all()).toHaveLength(1);
  });
});
