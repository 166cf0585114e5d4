import type { FastifyInstance } from 'fastify';
import { ArmcloudSigner } from '@fleetgate/vendors';
import { SimulatorServer, type SimulatorServerOptions } from '../kit';
import { armcloudCredentials } from './armcloud-auth';
import type { ArmcloudEnvelope } from './armcloud-envelope';
import { createArmcloudSimulator } from './armcloud-simulator';

/**
 * For the specs: a simulator on app.inject and a client that signs like an adapter would, with
 * the demo credentials. Not used by the running simulator.
 */
export class ArmcloudTestClient {
  readonly signer = new ArmcloudSigner(armcloudCredentials());

  constructor(readonly app: FastifyInstance) {}

  async post<T = unknown>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<ArmcloudEnvelope<T>> {
    const payload = JSON.stringify(body);
    const response = await this.app.inject({
      method: 'POST',
      url: path,
      payload,
      headers: { ...this.signer.sign({ method: 'POST', path, body: payload }), ...headers },
    });
    return response.json() as ArmcloudEnvelope<T>;
  }

  async get<T = unknown>(path: string, query: Record<string, string> = {}): Promise<ArmcloudEnvelope<T>> {
    const response = await this.app.inject({
      method: 'GET',
      url: path,
      query,
      headers: { ...this.signer.sign({ method: 'GET', path, query }) },
    });
    return response.json() as ArmcloudEnvelope<T>;
  }

  /** Polls the task centre until the task reaches a final status (3 or negative); returns its row. */
  async settledTask(taskId: number, endpoint = '/task-center/open/task/padTaskDetail'): Promise<Record<string, unknown>> {
    return waitFor(async () => {
      const answer = await this.post<Array<Record<string, unknown>>>(endpoint, { taskIds: [taskId] });
      const row = answer.data?.[0];
      return row && (row.taskStatus === 3 || (row.taskStatus as number) < 0) ? row : undefined;
    });
  }
}

/** Re-evaluates until the probe answers something; gives up after many turns of the event loop (no wall-clock assertion). */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, turns = 500): Promise<T> {
  for (let turn = 0; turn < turns; turn++) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('waitFor: condition never met');
}

export async function startArmcloudSimulator(options: Partial<SimulatorServerOptions> = {}) {
  const server = new SimulatorServer(createArmcloudSimulator, { fleetSize: 20, timeScale: 0, ...options });
  const app = await server.ready();
  return { server, app, client: new ArmcloudTestClient(app) };
}

/** The first pads that are online (about 3 % of the seeded fleet is offline). */
export async function onlinePads(client: ArmcloudTestClient, count: number): Promise<string[]> {
  const answer = await client.post<{ pageData: Array<{ padCode: string }> }>('/openapi/open/pad/padDetails', { page: 1, rows: count, vmStatus: '1' });
  return answer.data.pageData.map((pad) => pad.padCode);
}
