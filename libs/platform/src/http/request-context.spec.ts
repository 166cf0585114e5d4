import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import { loggerOptions } from './logging';
import { bindRequestContext } from './request-context';
import { requestIdFor } from './request-id';
import { logRequests } from './request-log';

describe('request context in log lines', () => {
  it('names the request in every line written while it runs, and in its own line as req.id only', async () => {
    const written: string[] = [];
    const logger = pino(
      loggerOptions('info'),
      new Writable({
        write(chunk, _encoding, done) {
          written.push(String(chunk));
          done();
        },
      }),
    );
    const app = Fastify({ genReqId: requestIdFor });
    bindRequestContext(app);
    logRequests(app, logger);
    app.get('/read', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.info('while reading');
      return {};
    });
    app.post('/write', async () => {
      await Promise.resolve();
      logger.warn({ detail: 1 }, 'while writing');
      return {};
    });
    await app.inject({ method: 'GET', url: '/read', headers: { 'x-request-id': 'read-1' } });
    await app.inject({ method: 'POST', url: '/write', headers: { 'x-request-id': 'write-1' }, payload: { a: 1 } });
    logger.info('outside any request');
    await app.close();

    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    const line = (msg: string) => lines.filter((entry) => entry.msg === msg);
    expect(line('while reading')).toEqual([expect.objectContaining({ requestId: 'read-1' })]);
    expect(line('while writing')).toEqual([expect.objectContaining({ requestId: 'write-1', detail: 1 })]);
    expect(line('outside any request')[0]).not.toHaveProperty('requestId');
    for (const own of line('request completed')) expect(own).not.toHaveProperty('requestId');
    expect(line('request completed').map((entry) => (entry.req as { id: string }).id)).toEqual(['read-1', 'write-1']);
  });
});
