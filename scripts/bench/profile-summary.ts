/**
 * Where a V8 CPU profile's busy time went: `node dist/scripts/bench/profile-summary.js <file.cpuprofile>`.
 * Prints the heaviest functions by self time and the share of each package (node_modules/<name>,
 * Node's own internals, or Fleetgate's code), idle and garbage collection left out of the busy time.
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
  return url;
}

function main(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));

  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let busy = 0;
  let gc = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(garbage collector)') gc += micros;
    if (IDLE.has(frame.functionName)) continue;
    busy += micros;
    const name = `${frame.functionName || '(anonymous)'} ${owner(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byOwner.set(owner(frame.url), (byOwner.get(owner(frame.url)) ?? 0) + micros);
  }
  const share = (micros: number) => `${((100 * micros) / busy).toFixed(1)}%`;
  const top = (map: Map<string, number>, count: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, micros]) => ({ name, ms: Math.round(micros / 1000), share: share(micros) }));
  console.log(`busy ${Math.round(busy / 1000)} ms, garbage collection ${Math.round(gc / 1000)} ms`);
  console.table(top(byOwner, 15));
  console.table(top(byFunction, 25));
}

main(process.argv[2]);
