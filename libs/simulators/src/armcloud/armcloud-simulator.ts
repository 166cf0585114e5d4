import type { FastifyInstance } from 'fastify';
import { CONTROL_PREFIX, type Random, type SimulatorContext, type VendorSimulator } from '../kit';
import { registerAccountRoutes } from './armcloud-account-routes';
import { registerAppRoutes } from './armcloud-app-routes';
import { type ArmcloudSimulatorOptions, armcloudVerifier, installArmcloudSignatureCheck } from './armcloud-auth';
import { ARMCLOUD_ERRORS, errorEnvelope } from './armcloud-envelope';
import { PAD_STATUS } from './armcloud-fleet';
import { registerInstanceRoutes } from './armcloud-instance-routes';
import { registerOperationRoutes } from './armcloud-operation-routes';
import { registerSettingsRoutes } from './armcloud-settings-routes';
import { ARMCLOUD_DOCUMENT_HOST, type ArmcloudSignatureVerifier, credentialAccessKey } from './armcloud-signature';
import { ArmcloudState, padStatusEvent } from './armcloud-state';
import { registerTaskRoutes } from './armcloud-task-routes';

/** Failures on the vendor's side that any endpoint may answer (the errorRate fault in vendor mode). */
const TRANSIENT_FAILURES = [ARMCLOUD_ERRORS.taskAddFailed, ARMCLOUD_ERRORS.processingFailed, ARMCLOUD_ERRORS.commandTimeout];

/**
 * Vendor-specific control routes (no signature, no faults):
 *   GET /_sim/armcloud/account            the access key id the simulator expects, and the document's host
 *   PUT /_sim/armcloud/pads/:padCode      {"online": false} takes a pad offline (its tasks then fail), true brings it back
 */
function registerControlRoutes(app: FastifyInstance, state: ArmcloudState, verifier: ArmcloudSignatureVerifier): void {
  app.get(`${CONTROL_PREFIX}/armcloud/account`, async () => ({ accessKeyId: verifier.accessKeyId, host: ARMCLOUD_DOCUMENT_HOST, fleetSize: state.fleet.size }));
  app.put<{ Params: { padCode: string }; Body: { online?: unknown } }>(`${CONTROL_PREFIX}/armcloud/pads/:padCode`, async (request, reply) => {
    const index = state.fleet.indexOf(request.params.padCode);
    if (index === undefined) return reply.code(404).send({ message: `no pad ${request.params.padCode}` });
    const online = request.body?.online;
    if (typeof online !== 'boolean') return reply.code(400).send({ message: 'online must be true or false' });
    state.fleet.setOnline(index, online);
    state.fleet.setPadStatus(index, online ? PAD_STATUS.running : PAD_STATUS.exception);
    state.callbacks.emit([padStatusEvent(state, index)]);
    return { padCode: request.params.padCode, online, padStatus: state.fleet.padStatus(index) };
  });
}

export function createArmcloudSimulator(context: SimulatorContext, options: ArmcloudSimulatorOptions = {}): VendorSimulator {
  const verifier = armcloudVerifier(options);
  // Drawn once, so that reset() rebuilds the same fleet whatever the fault layer drew meanwhile.
  const fleetSeed = context.random.int(1, 0x7fff_ffff);
  const state = new ArmcloudState(context.fleetSize, fleetSeed, context.timeScale, context.callbacks);

  const simulator: VendorSimulator = {
    vendor: 'armcloud',
    register: async (app) => {
      registerControlRoutes(app, state, verifier);
      // The vendor routes live in their own scope: its body parser keeps raw bytes for the signature
      // without changing how the kit's /_sim routes parse JSON.
      await app.register(async (scope) => {
        installArmcloudSignatureCheck(scope, verifier);
        registerInstanceRoutes(scope, state);
        registerSettingsRoutes(scope, state);
        registerOperationRoutes(scope, state);
        registerAppRoutes(scope, state);
        registerTaskRoutes(scope, state);
        registerAccountRoutes(scope, state);
      });
    },
    vendorError: (random: Random) => ({ status: 200, body: errorEnvelope(random.pick(TRANSIENT_FAILURES)) }),
    // The access key named in the signed authorization header: the account the request is billed to.
    accountOf: (request) => credentialAccessKey(request.headers.authorization),
    reset: () => state.reset(),
    close: () => state.close(),
  };
  return simulator;
}
