import { authLogin } from '@fleetgate/sdk';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';

/**
 * Bad input, driven by the OpenAPI document: every route gets malformed bodies, parameters and
 * headers as an administrator (so that authorization is not what refuses them). No answer may be a
 * 5xx, and every refusal must be the error envelope.
 */
interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: unknown;
}

const BAD_IDS = ['not-a-uuid', '00000000-0000-0000-0000-000000000000', "' OR 1=1 --", '%00', 'a'.repeat(300)];
const BAD_BODIES: Array<{ contentType: string; body: string }> = [
  { contentType: 'application/json', body: '{"unterminated": ' },
  { contentType: 'application/json', body: '[]' },
  { contentType: 'application/json', body: 'null' },
  { contentType: 'application/json', body: '"just a string"' },
  {
    contentType: 'application/json',
    body: JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: 1 } }),
  },
  {
    contentType: 'application/json',
    body: JSON.stringify({ name: 12, page: -1, pageSize: 1e9, email: [], url: 'javascript:alert(1)', targets: 'all' }),
  },
  {
    contentType: 'application/json',
    body: JSON.stringify({ operation: { type: 'device.reboot', params: [] }, targets: {} }),
  },
  { contentType: 'text/plain', body: 'hello' },
  { contentType: 'application/x-www-form-urlencoded', body: 'a=1&b=2' },
];
const BAD_QUERIES = [
  'page=0',
  'pageSize=100000',
  'page=abc',
  'status=%ff',
  'vendor[]=x',
  'since=not-a-date',
  'count=-5',
];

describe('every route refuses malformed input cleanly (OpenAPI-driven, e2e)', () => {
  let gateway: RunningGateway;
  let token: string;
  let paths: Record<string, Record<string, Operation>>;
  const failures: string[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
    token = (await authLogin({ client: gateway.client, body: ADMIN })).data!.accessToken;
    paths = ((await (await fetch(`${gateway.baseUrl}/docs/openapi.json`)).json()) as { paths: typeof paths }).paths;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  async function send(
    method: string,
    url: string,
    init: { contentType?: string; body?: string; headers?: Record<string, string> },
  ) {
    const response = await fetch(`${gateway.baseUrl}${url}`, {
      method: method.toUpperCase(),
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.contentType ? { 'content-type': init.contentType } : {}),
        ...init.headers,
      },
      body: init.body,
      // An SSE route would stream forever; a short read of its headers is enough.
      signal: AbortSignal.timeout(5_000),
    }).catch((error: Error) => ({ status: 0, error }) as const);
    if ('error' in response) {
      if (url.includes('/events/stream')) return;
      failures.push(`${method} ${url}: no answer (${response.error.message})`);
      return;
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500) failures.push(`${method} ${url}: ${response.status} ${text.slice(0, 200)}`);
    if (response.status >= 400) {
      try {
        const envelope = JSON.parse(text) as { error?: { code?: string; message?: string; requestId?: string } };
        if (!envelope.error?.code || !envelope.error.message || !envelope.error.requestId) {
          failures.push(`${method} ${url}: ${response.status} outside the envelope: ${text.slice(0, 200)}`);
        }
      } catch {
        failures.push(`${method} ${url}: ${response.status} not JSON: ${text.slice(0, 200)}`);
      }
    }
  }

  it('never answers 5xx and always refuses in the error envelope', async () => {
    // Destructive routes on the caller's own session would end the test's login; they are fuzzed with bad input only.
    for (const [path, operations] of Object.entries(paths)) {
      if (path === '/events/stream' || path === '/auth/logout') continue;
      for (const [method, operation] of Object.entries(operations)) {
        const hasPathParams = path.includes('{');
        const urls = hasPathParams ? BAD_IDS.map((id) => path.replace(/\{[^}]+\}/g, encodeURIComponent(id))) : [path];
        for (const url of urls) {
          for (const query of BAD_QUERIES) await send(method, `${url}?${query}`, {});
          if (operation.requestBody || method !== 'get') {
            for (const bad of BAD_BODIES) await send(method, url, bad);
          }
          await send(method, url, {
            headers: { 'x-request-id': 'x'.repeat(5_000), 'idempotency-key': 'bad key with spaces' },
          });
        }
      }
    }
    expect(failures).toEqual([]);
    // Thousands of requests one after another: more than the default minute on a busy 2-core machine.
  }, 300_000);
});
