import { connect } from 'node:net';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { loggerOptions } from './logging';
import { requestIdFor } from './request-id';
import { logRequests } from './request-log';

function capturingApp(level = 'info'): { app: FastifyInstance; lines: () => Array<Record<string, unknown>> } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  const app = Fastify({ genReqId: requestIdFor });
  logRequests(app, pino(loggerOptions(level), stream));
  app.get('/devices/:id', async () => ({ id: 'd1' }));
  app.get('/boom', async (_request, reply) => reply.code(503).send({ error: 'down' }));
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/metrics', async () => 'metrics');
  app.get('/slow', async () => new Promise((resolve) => setTimeout(() => resolve({ late: true }), 300)));
  const lines = () =>
    written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { app, lines };
}

describe('request log', () => {
  it('writes one line per request with its request, answer and time, credentials redacted', async () => {
    const { app, lines } = capturingApp();
    await app.inject({
      method: 'GET',
      url: '/devices/d1?token=t0p&x=1',
      headers: { authorization: 'Bearer eyJsecret', 'x-api-key': 'fgk_a_b', 'x-request-id': 'req-1', host: 'gw' },
    });
    await app.close();
    expect(lines()).toHaveLength(1);
    const [line] = lines();
    expect(Object.keys(line)).toEqual(['level', 'time', 'pid', 'hostname', 'req', 'res', 'responseTime', 'msg']);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: {
        id: 'req-1',
        method: 'GET',
        url: '/devices/d1?token=[redacted]&x=1',
        headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', 'x-request-id': 'req-1', host: 'gw' },
      },
      res: { statusCode: 200, headers: {} },
    });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(line)).not.toMatch(/eyJsecret|fgk_a_b|t0p/);
  });

  it('writes a 5xx answer as a request that errored', async () => {
    const { app, lines } = capturingApp();
    await app.inject({ method: 'GET', url: '/boom' });
    await app.close();
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({
      level: 30,
      msg: 'request errored',
      req: { method: 'GET', url: '/boom' },
      res: { statusCode: 503 },
      err: { message: 'failed with status code 503' },
    });
  });

  it('leaves out health probes and metrics scrapes', async () => {
    const { app, lines } = capturingApp();
    await app.inject({ method: 'GET', url: '/health/live' });
    await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();
    expect(lines()).toEqual([]);
  });

  it('writes a line for a request whose client went away before the answer', async () => {
    const { app, lines } = capturingApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /slow HTTP/1.1\r\nhost: gw\r\nx-request-id: gone-1\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await app.close();
    expect(lines()).toEqual([
      expect.objectContaining({ msg: 'request aborted', req: expect.objectContaining({ id: 'gone-1', url: '/slow' }) }),
    ]);
  });

  it('writes nothing when the level is above info', async () => {
    const { app, lines } = capturingApp('warn');
    await app.inject({ method: 'GET', url: '/devices/d1' });
    await app.close();
    expect(lines()).toEqual([]);
  });
});
