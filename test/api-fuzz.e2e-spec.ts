import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { authLogin } from '@fleetgate/sdk';
import { ADMIN, type RunningGateway, startGateway } from './support/gateway-harness';

/**
 * Generative fuzzing from the OpenAPI document (fast-check): every operation gets requests built from
 * its own path parameters, query parameters and body schema, each with one part made bad: control
 * characters (NUL included), huge, negative and non-finite numbers, wrong JSON types, deep nesting, long
 * arrays and long strings, or a whole body of any JSON. Sent as an administrator, so that
 * authorization is not what refuses them. The property: no answer is a 5xx; every 4xx is the error
 * envelope; a 400 for a bad field names that field.
 *
 * Seeded: FUZZ_SEED reproduces a run (the seed is printed with any failure), FUZZ_RUNS sets the
 * requests per operation.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 25);

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** One request, and what it made bad: a named field (path, query or body), or nothing in particular. */
interface FuzzCase {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** The field made bad, as the error envelope should name it (dotted below the body). */
  field?: string;
  /** The bad value is refused whatever the route: a control character in a path or query text, NUL or a wrong type in a body. */
  mustNameField: boolean;
  /** Refused before anything else the route checks (path and query text): a 400 and nothing else. */
  refusedFirst?: boolean;
  what: string;
}

const CONTROL_CHARS = [...Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)), '\u007f'];

/** Text with control characters among ordinary and unusual ones. */
const controlText = fc
  .array(fc.oneof(fc.constantFrom(...CONTROL_CHARS), fc.constantFrom('a', 'Z', '9', '-', ' ', 'é', '中', '🙂', '%')), {
    minLength: 1,
    maxLength: 24,
  })
  .filter((chars) => chars.some((char) => CONTROL_CHARS.includes(char)))
  .map((chars) => chars.join(''));
const longText = fc
  .tuple(fc.constantFrom('a', 'é', '0', ' '), fc.integer({ min: 1_000, max: 70_000 }))
  .map(([char, length]) => char.repeat(length));
const oddText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("' OR 1=1 --", '../../etc/passwd', '%00', '%ff', '\ud800', '__proto__', 'constructor', ' ', ''),
);
const badText = fc.oneof(controlText, longText, oddText);
const hugeNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -(2 ** 53) - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 63, -1, 0, -0, 0.5, 1e-300),
  fc.double(),
  fc.integer({ min: -(2 ** 31), max: -1 }),
);
/** Numbers as a query string writes them. */
const numberText = fc.oneof(
  hugeNumber.map(String),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '99999999999999999999999999', '0x10', ' 1', '1.5', '-0', ''),
);
const deepValue = fc.tuple(fc.integer({ min: 20, max: 2_500 }), fc.boolean()).map(([depth, asArray]) => {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = asArray ? [value] : { a: value };
  return value;
});
const longArray = fc.oneof(
  fc.array(fc.integer(), { minLength: 500, maxLength: 20_000 }),
  fc.array(fc.string({ maxLength: 8 }), { minLength: 500, maxLength: 5_000 }),
);
/** Anything JSON can carry, odd shapes included. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  deepValue,
  longArray,
  badText,
  hugeNumber,
  fc.constantFrom(null, true, false, [], {}),
);

/** Percent-encodes UTF-8 bytes; a lone surrogate, which encodeURIComponent refuses, goes as U+FFFD. */
function encode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * True when `value` can never satisfy `schema`'s type. null is left out: an optional field takes it as
 * absent, or as "clear it" (JSON has no NaN or Infinity either: JSON.stringify sends them as null).
 */
function wrongType(schema: Schema, value: unknown): boolean {
  if (!schema.type || value === null || (typeof value === 'number' && !Number.isFinite(value))) return false;
  const type = jsonTypeOf(value);
  if (schema.type === 'number') return type !== 'number' && type !== 'integer';
  return type !== schema.type;
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object') return Object.values(value).some(hasNul);
  return false;
}

describe('every route refuses generated bad input cleanly (fast-check over the OpenAPI document, e2e)', () => {
  let gateway: RunningGateway;
  let token: string;
  let document: OpenApi;

  beforeAll(async () => {
    gateway = await startGateway();
    token = (await authLogin({ client: gateway.client, body: ADMIN })).data!.accessToken;
    document = (await (await fetch(`${gateway.baseUrl}/docs/openapi.json`)).json()) as OpenApi;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  function resolve(schema: Schema | undefined, depth = 0): Schema {
    if (!schema || depth > 8) return {};
    if (schema.$ref) return resolve(document.components.schemas[schema.$ref.split('/').pop()!], depth + 1);
    if (schema.allOf?.length) {
      const parts = schema.allOf.map((part) => resolve(part, depth + 1));
      return Object.assign({}, ...parts, {
        properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
      }) as Schema;
    }
    return schema;
  }

  /** A value of the schema's shape, for the body fields that are not the one made bad. */
  function plausible(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
    const resolved = resolve(schema);
    if (resolved.enum?.length) return fc.constantFrom(...resolved.enum);
    const variants = resolved.oneOf ?? resolved.anyOf;
    if (variants?.length) return fc.oneof(...variants.map((variant) => plausible(variant, depth + 1)));
    switch (resolved.type) {
      case 'string':
        return resolved.format === 'uuid' ? fc.uuid() : fc.string({ maxLength: 12 });
      case 'number':
      case 'integer':
        return fc.integer({ min: resolved.minimum ?? 0, max: (resolved.minimum ?? 0) + 100 });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 3 ? fc.constant([]) : fc.array(plausible(resolved.items, depth + 1), { maxLength: 3 });
      case 'object':
      default:
        if (depth > 3 || !resolved.properties) return fc.constant({});
        return fc.record(
          Object.fromEntries(
            Object.entries(resolved.properties).map(([name, property]) => [name, plausible(property, depth + 1)]),
          ),
          { requiredKeys: resolved.required ?? [] },
        );
    }
  }

  /** A bad value for a field of `schema`: of its own type but extreme, or of another type. */
  function badFor(schema: Schema): fc.Arbitrary<unknown> {
    const resolved = resolve(schema);
    const sameType =
      resolved.type === 'number' || resolved.type === 'integer'
        ? hugeNumber
        : resolved.type === 'array'
          ? fc.oneof(longArray, fc.array(anyJson, { maxLength: 4 }))
          : resolved.type === 'object'
            ? fc.oneof(deepValue, fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 4 }))
            : badText;
    return fc.oneof(sameType, anyJson);
  }

  function casesFor(path: string, method: string, operation: Operation): fc.Arbitrary<FuzzCase> {
    const parameters = operation.parameters ?? [];
    const pathParams = parameters.filter((parameter) => parameter.in === 'path');
    const queryParams = parameters.filter((parameter) => parameter.in === 'query');
    const bodySchema = resolve(operation.requestBody?.content?.['application/json']?.schema);
    const urlWith = (values: Record<string, string>) =>
      path.replace(/\{([^}]+)\}/g, (_, name: string) => encode(values[name] ?? randomUUID()));
    const plainUrl = urlWith({});
    const base = { method: method.toUpperCase() };
    const kinds: Array<fc.Arbitrary<FuzzCase>> = [];

    if (pathParams.length > 0) {
      kinds.push(
        fc.tuple(fc.constantFrom(...pathParams), fc.oneof(badText, numberText)).map(([parameter, value]) => ({
          ...base,
          url: urlWith({ [parameter.name]: value }),
          field: parameter.name,
          mustNameField: CONTROL_CHARS.some((char) => value.includes(char)),
          refusedFirst: CONTROL_CHARS.some((char) => value.includes(char)),
          what: `path ${parameter.name}=${JSON.stringify(value.slice(0, 80))}`,
        })),
      );
    }
    if (queryParams.length > 0) {
      const queryValue = fc.oneof(badText, numberText);
      kinds.push(
        fc
          .tuple(
            fc.constantFrom(...queryParams),
            fc.oneof(
              queryValue.map((value) => ({ values: [value], nested: false })),
              fc.array(queryValue, { minLength: 2, maxLength: 60 }).map((values) => ({ values, nested: false })),
              queryValue.map((value) => ({ values: [value], nested: true })),
            ),
          )
          .map(([parameter, { values, nested }]) => {
            const key = nested ? `${parameter.name}[a][b]` : parameter.name;
            const query = values.map((value) => `${encode(key)}=${encode(value)}`).join('&');
            const controlled = !nested && values.some((value) => CONTROL_CHARS.some((char) => value.includes(char)));
            return {
              ...base,
              url: `${plainUrl}?${query}`,
              field: parameter.name,
              mustNameField: controlled,
              refusedFirst: controlled,
              what: `query ${query.slice(0, 160)}`,
            };
          }),
      );
    }
    const takesBody = method !== 'get' && method !== 'delete';
    const properties = Object.entries(bodySchema.properties ?? {});
    if (takesBody && properties.length > 0) {
      kinds.push(
        fc
          .constantFrom(...properties)
          .chain(([name, schema]) =>
            fc.tuple(fc.constant(name), fc.constant(resolve(schema)), badFor(schema), plausible(bodySchema)),
          )
          .map(([name, schema, value, rest]) => {
            const body = { ...(rest as object), [name]: value };
            return {
              ...base,
              url: plainUrl,
              contentType: 'application/json',
              body: JSON.stringify(body),
              field: name,
              mustNameField: wrongType(schema, value) || hasNul(value),
              what: `body ${name}=${JSON.stringify(value)?.slice(0, 160)}`,
            };
          }),
      );
    }
    if (takesBody) {
      kinds.push(
        fc
          .tuple(
            anyJson,
            fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
          )
          .map(([value, contentType]) => ({
            ...base,
            url: plainUrl,
            contentType,
            body: JSON.stringify(value) ?? 'null',
            mustNameField: false,
            what: `whole body (${contentType}) ${JSON.stringify(value)?.slice(0, 160)}`,
          })),
        fc.constantFrom('{"unterminated": ', '{"a":1}}', '\u0000', '{"__proto__":{"admin":true}}').map((body) => ({
          ...base,
          url: plainUrl,
          contentType: 'application/json',
          body,
          mustNameField: false,
          what: `raw body ${JSON.stringify(body)}`,
        })),
      );
    }
    kinds.push(
      fc
        .tuple(fc.string({ minLength: 0, maxLength: 300 }), fc.integer({ min: 1, max: 8_000 }))
        .map(([idempotencyKey, requestIdLength]) => ({
          ...base,
          url: plainUrl,
          // Header values cannot carry control characters at all (fetch refuses them before sending).
          headers: {
            'idempotency-key': [...idempotencyKey].map((char) => (CONTROL_CHARS.includes(char) ? '?' : char)).join(''),
            'x-request-id': 'x'.repeat(requestIdLength),
          },
          mustNameField: false,
          what: `headers idempotency-key and a ${requestIdLength}-character x-request-id`,
        })),
    );
    return fc.oneof(...kinds);
  }

  /** Sends one case; answers why it broke the property, or undefined. */
  async function violation(fuzz: FuzzCase): Promise<string | undefined> {
    let response: Response;
    try {
      response = await fetch(`${gateway.baseUrl}${fuzz.url}`, {
        method: fuzz.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(fuzz.contentType ? { 'content-type': fuzz.contentType } : {}),
          ...fuzz.headers,
        },
        body: fuzz.body,
        signal: AbortSignal.timeout(20_000),
      });
    } catch (error) {
      return `no answer (${(error as Error).message})`;
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500) return `${response.status} ${text.slice(0, 300)}`;
    if (response.status < 400) return undefined;
    let envelope: {
      error?: { code?: string; message?: string; requestId?: string; details?: Array<{ field: string }> };
    };
    try {
      envelope = JSON.parse(text) as typeof envelope;
    } catch {
      return `${response.status} not JSON: ${text.slice(0, 200)}`;
    }
    if (!envelope.error?.code || !envelope.error.message || !envelope.error.requestId) {
      return `${response.status} outside the envelope: ${text.slice(0, 200)}`;
    }
    if (fuzz.mustNameField && fuzz.field && response.status === 400) {
      const fields = (envelope.error.details ?? []).map((detail) => detail.field.split(/[.[]/)[0]);
      if (!fields.includes(fuzz.field)) return `400 without a detail naming ${fuzz.field}: ${text.slice(0, 300)}`;
    }
    // A URL over 16 KiB is refused (431) before any route could name a field. A body may meet an
    // earlier refusal of its route (404 for a missing record) before its fields are read.
    if (fuzz.refusedFirst && fuzz.field && response.status !== 400 && response.status !== 431) {
      return `${response.status} where a 400 naming ${fuzz.field} was due: ${text.slice(0, 300)}`;
    }
    return undefined;
  }

  it('never answers 5xx, refuses in the error envelope, and names the bad field', async () => {
    const failures: string[] = [];
    let index = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      // An SSE stream never ends; signing out would end the fuzzer's own session.
      if (path === '/events/stream' || path === '/auth/logout') continue;
      for (const [method, operation] of Object.entries(operations)) {
        const seed = SEED + index++;
        const result = await fc.check(
          fc.asyncProperty(casesFor(path, method, operation), async (fuzz) => {
            const problem = await violation(fuzz);
            if (problem) throw new Error(`${fuzz.method} ${fuzz.url.slice(0, 200)} (${fuzz.what}): ${problem}`);
          }),
          { seed, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
        );
        if (result.failed) {
          failures.push(
            `${method.toUpperCase()} ${path} [FUZZ_SEED=${SEED}, seed ${seed}, path ${result.counterexamplePath}]: ${
              (result.errorInstance as Error | undefined)?.message ?? String(result.errorInstance)
            }`,
          );
        }
      }
    }
    if (failures.length > 0) {
      throw new Error(
        `Fuzzing with FUZZ_SEED=${SEED} (set it to reproduce) broke the property:\n${failures.join('\n')}`,
      );
    }
  }, 600_000);
});
