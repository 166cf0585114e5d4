import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundHttp, OutboundRequestError, type ResolveHost } from './outbound-http';
import { OutboundUrlGuard } from './outbound-url-guard';

describe('OutboundHttp', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  let handler: (request: IncomingMessage, response: ServerResponse) => void;
  const clients: OutboundHttp[] = [];

  /** A resolver of our own: `rebind.test` answers a public address first and loopback afterwards. */
  function stubResolver(): ResolveHost {
    let calls = 0;
    return async (hostname) => {
      if (hostname === 'loopback.test') return [{ address: '127.0.0.1', family: 4 }];
      if (hostname === 'rebind.test') return [{ address: calls++ === 0 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    };
  }

  function client(allowInternal: boolean, resolve?: ResolveHost, maxResponseBytes = 1024): OutboundHttp {
    const http = new OutboundHttp({ allowInternal, maxResponseBytes, resolve });
    clients.push(http);
    return http;
  }

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.url ?? '');
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  beforeEach(() => {
    seen.length = 0;
    handler = (_request, response) => response.end('ok');
  });

  afterAll(async () => {
    await Promise.all(clients.map((http) => http.close()));
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses at connect time a host name that resolves to loopback, and sends nothing', async () => {
    const error = await client(false, stubResolver())
      .fetch(`http://loopback.test:${port}/hook`)
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error).toMatchObject({ kind: 'refused_address', message: expect.stringContaining('loopback (127.0.0.1)') });
    expect(seen).toEqual([]);
  });

  it('refuses a name that was public when checked and points at loopback when called (DNS rebinding)', async () => {
    const resolve = stubResolver();
    expect(
      await new OutboundUrlGuard(false, async (host) =>
        (await resolve(host)).map((entry) => entry.address),
      ).problemWith(`http://rebind.test:${port}/`),
    ).toBeUndefined();
    const error = await client(false, resolve)
      .fetch(`http://rebind.test:${port}/`)
      .catch((failure: unknown) => failure);
    expect(error).toMatchObject({ kind: 'refused_address' });
    expect(seen).toEqual([]);
  });

  it('refuses localhost through the system resolver and an internal address written as an IP', async () => {
    const http = client(false);
    await expect(http.fetch(`http://localhost:${port}/`)).rejects.toMatchObject({ kind: 'refused_address' });
    await expect(http.fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ kind: 'refused_address' });
    await expect(http.fetch(`http://[::ffff:127.0.0.1]:${port}/`)).rejects.toMatchObject({ kind: 'refused_address' });
    expect(seen).toEqual([]);
  });

  it('reaches internal addresses when ALLOW_INTERNAL_URLS is on', async () => {
    const response = await client(true, stubResolver()).fetch(`http://loopback.test:${port}/lab`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(seen).toEqual(['/lab']);
  });

  it('does not follow redirects, even with internal URLs allowed', async () => {
    handler = (request, response) => {
      if (request.url === '/start') response.writeHead(302, { location: '/internal' }).end();
      else response.end('followed');
    };
    const response = await client(true).fetch(`http://127.0.0.1:${port}/start`, { redirect: 'follow' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/internal');
    expect(seen).toEqual(['/start']);
  });

  it('reads a body up to the cap and refuses one over it, with or without a Content-Length', async () => {
    const http = client(true, undefined, 1024);
    handler = (request, response) => {
      const size = Number(request.url?.slice(1));
      if (request.url?.endsWith('?chunked')) {
        response.write('x'.repeat(600));
        response.end('x'.repeat(600));
      } else response.end('x'.repeat(size));
    };
    expect(await http.readText(await http.fetch(`http://127.0.0.1:${port}/1024`))).toHaveLength(1024);
    await expect(http.readText(await http.fetch(`http://127.0.0.1:${port}/1025`))).rejects.toMatchObject({
      kind: 'body_too_large',
    });
    await expect(http.readText(await http.fetch(`http://127.0.0.1:${port}/0?chunked`))).rejects.toMatchObject({
      kind: 'body_too_large',
      message: expect.stringContaining('1024 bytes'),
    });
  });
});
