/**
 * Where a V8 CPU profile's busy time went: `node dist/scripts/bench/profile-summary.js <file.cpuprofile>`.
 * Prints the heaviest functions by self time, the share of each package (node_modules/<name>, Node's
 * own internals, or Fleetgate's code) and of each stage of the request path (stagesOf), idle and
 * garbage collection left out of the busy time.
 *
 * `--from <function>` counts only the samples from the first one with that function on its stack, so
 * that a profile of a whole benchmark leaves out the process's start-up (`--from canActivate`: from
 * the first request the guard saw).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);

function owner(url: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  if (url.startsWith('node:') || !url) return 'node internals';
  if (/\/dist\/(apps|libs)\//.test(url)) return 'fleetgate';
  if (url.startsWith('wasm://')) return 'wasm';
  return url;
}

/** Packages by the stage of the request path they serve. */
const STAGE_OF_PACKAGE: Array<[RegExp, string]> = [
  [/^(@nestjs\/(core|common|platform-fastify)|rxjs|@fastify\/middie|path-to-regexp|reflect-metadata)$/, 'Nest pipeline'],
  [/^(jws|jwa|jsonwebtoken|@nestjs\/jwt|safe-buffer)$/, 'JWT verify'],
  [/^(pino|pino-http|pino-std-serializers|@pinojs\/redact|fast-redact|nestjs-pino|sonic-boom|quick-format-unescaped|fast-safe-stringify)$/, 'logging'],
  [/^(@prisma\/.*|wasm)$/, 'Prisma (client, engine, adapter)'],
  [/^(pg|pg-protocol|pg-pool|pg-types|postgres-.*|pg-connection-string)$/, 'pg driver'],
  [/^(ioredis|redis-parser|denque|cluster-key-slot|@ioredis\/.*)$/, 'ioredis'],
  [/^(fast-json-stringify|secure-json-parse)$/, 'JSON serialization'],
  [/^(class-transformer|class-validator|validator|libphonenumber-js)$/, 'class-transformer/validation'],
  [/^(prom-client|tdigest|bintrees)$/, 'metrics'],
  [/^(fastify|find-my-way|avvio|light-my-request|@fastify\/.*|fastq|toad-cache|process-warning|abstract-logging)$/, 'Fastify'],
];

/** Fleetgate's own code by library, guards and permission checks named apart. */
function fleetgateStage(url: string): string {
  if (/\/libs\/auth\//.test(url)) return 'guards/auth (fleetgate)';
  if (/\/libs\/platform\/src\/(http|validation|errors)\//.test(url)) return 'platform http (fleetgate)';
  const lib = /\/dist\/((?:apps|libs)\/[^/]+)\//.exec(url)?.[1];
  return `fleetgate ${lib ?? 'other'}`;
}

/** Node's socket and stream calls: the system calls that carry requests, queries and Redis commands. */
const SOCKET_FUNCTIONS = new Set(['writev', 'writeUtf8String', 'writeBuffer', 'writeLatin1String', 'writeAsciiString', 'onStreamRead', 'readStart', 'readStop']);
/** Promise hooks that AsyncLocalStorage installs (Node 20): every promise of the process pays them. */
const ASYNC_CONTEXT_FUNCTIONS = new Set(['promiseInitHook', 'promiseInitHookWithDestroyTracking', '_propagate', 'emitInit', 'emitInitScript', 'executionAsyncResource', 'promiseBeforeHook', 'promiseAfterHook', 'promiseResolveHook']);

/**
 * The stage a sample belongs to: socket system calls and async-context hooks by the leaf function,
 * otherwise by the package of the deepest frame outside Node's internals (Hmac under jws is JWT,
 * JSON.stringify under Fastify's serialize is serialization).
 */
function stageOf(stack: ProfileNode[]): string {
  const leaf = stack[0].callFrame;
  if (owner(leaf.url) === 'node internals') {
    if (SOCKET_FUNCTIONS.has(leaf.functionName)) return 'socket I/O (syscalls)';
    if (ASYNC_CONTEXT_FUNCTIONS.has(leaf.functionName)) return 'async context hooks (AsyncLocalStorage)';
  }
  for (const node of stack) {
    const frame = node.callFrame;
    const pkg = owner(frame.url);
    if (pkg === 'node internals') continue;
    if (pkg === 'fastify' && frame.functionName === 'serialize') return 'JSON serialization';
    if (pkg === 'fleetgate') return fleetgateStage(frame.url);
    return STAGE_OF_PACKAGE.find(([pattern]) => pattern.test(pkg))?.[1] ?? pkg;
  }
  return leaf.functionName === 'runMicrotasks' ? 'microtask queue' : `node: ${leaf.functionName || '(anonymous)'}`;
}

function main(file: string, from?: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const stackOf = (id: number) => {
    const stack: ProfileNode[] = [];
    for (let node: ProfileNode | undefined = byId.get(id); node; node = parentOf.get(node.id)) stack.push(node);
    return stack;
  };

  let start = 0;
  if (from) {
    start = profile.samples.findIndex((id) => stackOf(id).some((node) => node.callFrame.functionName === from));
    if (start < 0) throw new Error(`no sample has ${from} on its stack`);
  }
  const selfMicros = new Map<number, number>();
  for (let index = start; index < profile.samples.length; index++) {
    const id = profile.samples[index];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  }

  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byStage = new Map<string, number>();
  let busy = 0;
  let gc = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(garbage collector)') gc += micros;
    if (frame.functionName === '(idle)') idle += micros;
    if (IDLE.has(frame.functionName)) continue;
    busy += micros;
    const name = `${frame.functionName || '(anonymous)'} ${owner(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byOwner.set(owner(frame.url), (byOwner.get(owner(frame.url)) ?? 0) + micros);
    const stage = stageOf(stackOf(id));
    byStage.set(stage, (byStage.get(stage) ?? 0) + micros);
  }
  const share = (micros: number) => `${((100 * micros) / busy).toFixed(1)}%`;
  const top = (map: Map<string, number>, count: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, micros]) => ({ name, ms: Math.round(micros / 1000), share: share(micros) }));
  console.log(
    `${from ? `from the first sample under ${from}: ` : ''}busy ${Math.round(busy / 1000)} ms, ` +
      `garbage collection ${Math.round(gc / 1000)} ms, idle ${Math.round(idle / 1000)} ms`,
  );
  console.table(top(byStage, 20));
  console.table(top(byOwner, 15));
  console.table(top(byFunction, 25));
}

const args = process.argv.slice(2);
const fromAt = args.indexOf('--from');
const from = fromAt >= 0 ? args.splice(fromAt, 2)[1] : undefined;
main(args[0], from);
