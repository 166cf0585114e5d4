import { createServer, request } from 'node:http';

/**
 * A load balancer for the scale-out run (E2E_INSTANCES=2): each request goes to the next gateway in
 * turn, so that consecutive calls of one test land on different instances.
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<{ url: string; close(): Promise<void> }> {
  const targets = upstreams.map((upstream) => new URL(upstream));
  let next = 0;
  // The gateway answers a URL and headers past 16 KiB with its own 431 in the error envelope; the proxy
  // takes more than that, so that what the client gets is the gateway's answer, not Node's bare 431.
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (incoming, outgoing) => {
    const target = targets[next++ % targets.length];
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
