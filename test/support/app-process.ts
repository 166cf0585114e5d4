import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testEnv } from './test-env';

/** The apps as built (`npm run build`), run by the suites that need them as OS processes of their own. */
export const GATEWAY_MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'gateway', 'src', 'main.js');
export const WORKER_MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'src', 'main.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a built app as its own process with the tests' environment and `env` on top. The database
 * is migrated already; a worker's metrics stay off. `output` receives what it prints; otherwise it
 * shows only when TEST_LOG_LEVEL is set.
 */
export function spawnApp(
  main: string,
  env: Record<string, string> = {},
  output?: (chunk: string) => void,
): ChildProcess {
  if (!existsSync(main)) throw new Error(`build the apps first (npm run build): ${main} is missing`);
  const child = spawn(process.execPath, [main], {
    env: testEnv({ MIGRATE_ON_START: 'false', WORKER_METRICS_PORT: '0', ...env }),
    stdio: output ? ['ignore', 'pipe', 'pipe'] : process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore',
  });
  if (output) {
    child.stdout!.on('data', (chunk: Buffer) => output(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => output(chunk.toString()));
  }
  return child;
}

/** Starts the built gateway on a free port and answers once it is live. */
export async function spawnGateway(
  env: Record<string, string> = {},
  output?: (chunk: string) => void,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnApp(GATEWAY_MAIN, { ...env, GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1' }, output);
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (child.exitCode !== null)
      throw new Error(`the gateway process exited with ${child.exitCode} before it was live`);
    if ((await fetch(`${url}/health/live`).catch(() => undefined))?.ok) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the gateway process was not live within 60 s');
}

/** Ends an app process: SIGTERM (a worker leaves the executors table), SIGKILL when it hangs. */
export async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
