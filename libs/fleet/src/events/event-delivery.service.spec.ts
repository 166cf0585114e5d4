import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@fleetgate/config';
import type { PrismaService } from '@fleetgate/persistence';
import { OutboundHttp, SecretBox } from '@fleetgate/platform';
import { EventDeliveryRepository } from './event-delivery.repository';
import { EventDeliveryService } from './event-delivery.service';

describe('EventDeliveryService through the outbound HTTP client', () => {
  const config = loadConfig({});
  let server: Server;
  let base: string;
  const seen: string[] = [];
  const clients: OutboundHttp[] = [];
  let saved: { lastError: string | null; lastStatusCode: number | null } | undefined;

  function serviceFor(url: string, allowInternal: boolean): EventDeliveryService {
    const prisma = {
      eventDelivery: {
        findUnique: async () => ({
          id: 'delivery-1',
          status: 'pending',
          eventType: 'task.updated',
          payload: { hello: 'world' },
          subscriptionId: 'subscription-1',
          subscription: { enabled: true, url, secretSealed: new SecretBox(config.SECRETS_KEY).seal('signing-secret') },
        }),
        update: async ({ data }: { data: { lastError: string | null; lastStatusCode: number | null } }) => {
          saved = data;
        },
      },
    } as unknown as PrismaService;
    const http = new OutboundHttp({ allowInternal, maxResponseBytes: 1024 });
    clients.push(http);
    return new EventDeliveryService(new EventDeliveryRepository(prisma), http, config);
  }

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.url ?? '');
      if (request.url === '/moved') response.writeHead(307, { location: '/elsewhere' }).end();
      else response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    seen.length = 0;
    saved = undefined;
  });

  afterAll(async () => {
    await Promise.all(clients.map((http) => http.close()));
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a subscription URL whose host resolves to loopback at delivery, sending nothing', async () => {
    await expect(serviceFor(`${base}/hook`, false).deliver('delivery-1', false)).rejects.toThrow(/loopback/);
    expect(saved?.lastError).toMatch(/only public addresses are called/);
    expect(seen).toEqual([]);
  });

  it('does not follow a redirect: the delivery fails and is retried later', async () => {
    await expect(serviceFor(`${base}/moved`, true).deliver('delivery-1', false)).rejects.toThrow(/HTTP 307/);
    expect(saved).toMatchObject({ lastStatusCode: 307, lastError: 'HTTP 307' });
    expect(seen).toEqual(['/moved']);
  });
});
