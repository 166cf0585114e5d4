import Fastify, { type FastifyInstance } from 'fastify';
import { CallbackSender } from './callback-sender';
import { mergeFaultSettings, NO_FAULTS, type FaultSettings } from './fault-settings';
import { Random } from './random';
import { RequestRateLog } from './request-rate';
import type { SimulatorContext, VendorSimulator, VendorSimulatorFactory } from './vendor-simulator';

export interface SimulatorServerOptions {
  fleetSize: number;
  timeScale?: number;
  seed?: number;
  faults?: Partial<FaultSettings>;
  /** Fastify's request logging; off by default, the simulators serve benchmarks. */
  logger?: boolean;
}

/** Requests a simulator cannot tie to an account (no credentials in the headers) are counted under this. */
export const DEFAULT_ACCOUNT = 'default';

/** Control routes live under this prefix and are never subject to faults. */
export const CONTROL_PREFIX = '/_sim';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One vendor simulator on its own Fastify instance, with the fault layer in front of the vendor's
 * routes and the control endpoints beside them:
 *   GET  /_sim/faults      the current fault settings
 *   PUT  /_sim/faults      change some of them (unknown or out-of-range values answer 400)
 *   DELETE /_sim/faults    turn every fault off
 *   POST /_sim/reset       reseed the fleet and forget all state
 *   GET  /_sim/callbacks   the last callback deliveries and their outcome
 *   GET  /_sim/requests    vendor requests received per account, and the most in any one second
 */
export class SimulatorServer {
  readonly app: FastifyInstance;
  readonly simulator: VendorSimulator;
  readonly callbacks: CallbackSender;
  private faults: FaultSettings;
  private readonly random: Random;
  private windowStart = 0;
  private windowCount = 0;
  private readonly hanging = new Set<() => void>();
  /** Vendor API requests received so far (control routes not counted): what benchmarks compare with rate limits. */
  requestsReceived = 0;
  /** The same per account, with the most any sliding one-second window held (`GET /_sim/requests`). */
  readonly requestRates = new RequestRateLog();

  constructor(factory: VendorSimulatorFactory, options: SimulatorServerOptions) {
    this.faults = mergeFaultSettings(NO_FAULTS, options.faults ?? {});
    this.random = new Random(options.seed ?? 1);
    this.callbacks = new CallbackSender(() => this.faults, this.random);
    const context: SimulatorContext = {
      fleetSize: options.fleetSize,
      timeScale: options.timeScale ?? 1,
      random: this.random,
      callbacks: this.callbacks,
    };
    this.simulator = factory(context);
    this.app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true, bodyLimit: 50 * 1024 * 1024 });
    this.installFaultLayer();
    this.installControlRoutes();
  }

  getFaults(): FaultSettings {
    return { ...this.faults };
  }

  setFaults(patch: Record<string, unknown>): FaultSettings {
    this.faults = mergeFaultSettings(this.faults, patch);
    return this.getFaults();
  }

  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    await this.simulator.register(this.app);
    return this.app.listen({ port, host });
  }

  /** For in-process tests: registers the routes without opening a port (use app.inject). */
  async ready(): Promise<FastifyInstance> {
    await this.simulator.register(this.app);
    await this.app.ready();
    return this.app;
  }

  async close(): Promise<void> {
    this.simulator.close();
    for (const release of this.hanging) release();
    await this.app.close();
  }

  private installFaultLayer(): void {
    this.app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith(CONTROL_PREFIX)) return;
      this.requestsReceived++;
      // Counted on arrival, before any fault: a throttling vendor counts the requests it refuses too.
      this.requestRates.record(this.simulator.accountOf?.(request) ?? DEFAULT_ACCOUNT, performance.now());
      const faults = this.faults;
      if (faults.rpsCap > 0) {
        const now = Date.now();
        if (now - this.windowStart >= 1000) {
          this.windowStart = now;
          this.windowCount = 0;
        }
        if (++this.windowCount > faults.rpsCap) {
          const retryAfter = Math.max(1, Math.ceil((this.windowStart + 1000 - now) / 1000));
          return reply.code(429).header('retry-after', String(retryAfter)).send({ message: 'Too Many Requests' });
        }
      }
      if (this.random.chance(faults.hangRate)) {
        // Never answered: the caller's timeout is what is being tested. Released on close().
        await new Promise<void>((resolve) => this.hanging.add(resolve));
        return reply.hijack();
      }
      const delay = faults.latencyMs + (faults.jitterMs ? this.random.next() * faults.jitterMs : 0);
      if (delay > 0) await sleep(delay);
      if (this.random.chance(faults.errorRate)) {
        if (faults.errorMode === 'http') {
          return reply.code(faults.httpErrorStatus).send({ message: 'Simulated server error' });
        }
        const failure = this.simulator.vendorError(this.random);
        return reply.code(failure.status).send(failure.body);
      }
    });
    this.app.addHook('onSend', async (request, _reply, payload) => {
      if (request.url.startsWith(CONTROL_PREFIX) || typeof payload !== 'string') return payload;
      if (!this.random.chance(this.faults.malformedRate)) return payload;
      return payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
    });
  }

  private installControlRoutes(): void {
    this.app.get(`${CONTROL_PREFIX}/faults`, async () => this.getFaults());
    this.app.put(`${CONTROL_PREFIX}/faults`, async (request, reply) => {
      try {
        return this.setFaults((request.body ?? {}) as Record<string, unknown>);
      } catch (error) {
        return reply.code(400).send({ message: (error as Error).message });
      }
    });
    this.app.delete(`${CONTROL_PREFIX}/faults`, async () => {
      this.faults = { ...NO_FAULTS };
      return this.getFaults();
    });
    this.app.post(`${CONTROL_PREFIX}/reset`, async () => {
      this.simulator.reset();
      this.callbacks.clear();
      this.requestRates.clear();
      return { reset: true };
    });
    this.app.get(`${CONTROL_PREFIX}/callbacks`, async () => this.callbacks.recent());
    this.app.get(`${CONTROL_PREFIX}/requests`, async () => ({ accounts: this.requestRates.snapshot() }));
  }
}
