import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallbackSender } from './callback-sender';
import type { Random } from './random';

export type VendorName = 'armcloud' | 'gizwits' | 'easyclick' | 'tikmatrix';

/** What every vendor simulator is given when it is built. */
export interface SimulatorContext {
  /** Devices to seed: 10 to 100,000. */
  fleetSize: number;
  /** Scales every simulated duration (task run times); 0 makes asynchronous work finish at once. */
  timeScale: number;
  /** Seeded, so that a fleet and its behaviour can be reproduced. */
  random: Random;
  /** Posts the vendor's callbacks, with the callback faults applied. */
  callbacks: CallbackSender;
}

/** The answer that a vendor gives when a request fails on its side (used by the errorRate fault). */
export interface VendorErrorReply {
  status: number;
  body: unknown;
}

export interface VendorSimulator {
  readonly vendor: VendorName;
  /** Registers the vendor's documented routes on its own Fastify instance. */
  register(app: FastifyInstance): void | Promise<void>;
  /** A failure in the vendor's own envelope, for the `vendor` error mode of the error-rate fault. */
  vendorError(random: Random): VendorErrorReply;
  /**
   * The vendor account a request comes from, read from its headers before any body is parsed, for the
   * per-account request counts; absent (or undefined) counts it under the simulator's one account.
   */
  accountOf?(request: FastifyRequest): string | undefined;
  /** Forgets everything and reseeds the fleet (tests call `POST /_sim/reset`). */
  reset(): void;
  /** Stops timers. */
  close(): void;
}

export type VendorSimulatorFactory = (context: SimulatorContext) => VendorSimulator;
