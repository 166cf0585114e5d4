import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ARMCLOUD_ERRORS, errorEnvelope } from './armcloud-envelope';
import { ARMCLOUD_DOCUMENT_HOST, ArmcloudSignatureVerifier } from './armcloud-signature';

/** The simulator's one account. Fixed so that local runs and tests need no set-up; override with the env vars. */
export const ARMCLOUD_DEMO_ACCESS_KEY = 'AKFLEETGATEDEMO0001';
export const ARMCLOUD_DEMO_SECRET_KEY = 'fleetgate-armcloud-demo-secret';

export interface ArmcloudCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function armcloudCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): ArmcloudCredentials {
  return {
    accessKeyId: env.SIM_ARMCLOUD_ACCESS_KEY || ARMCLOUD_DEMO_ACCESS_KEY,
    secretAccessKey: env.SIM_ARMCLOUD_SECRET_KEY || ARMCLOUD_DEMO_SECRET_KEY,
  };
}

/**
 * The simulator's verifier: the demo (or env) credentials; x-host may be the host a request was sent
 * to, the document's domain, or SIM_ARMCLOUD_HOST when set (a simulator behind another name).
 */
export function armcloudVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): ArmcloudSignatureVerifier {
  return new ArmcloudSignatureVerifier({
    ...armcloudCredentialsFromEnv(env),
    hosts: [ARMCLOUD_DOCUMENT_HOST, ...(env.SIM_ARMCLOUD_HOST ? [env.SIM_ARMCLOUD_HOST] : [])],
  });
}

/** The exact bytes of each request body, for the body hash (JSON.stringify of the parsed body would not be the same bytes). */
const rawBodies = new WeakMap<FastifyRequest, Buffer>();
/** Bodies that are not JSON: the signature is still checked over the bytes; the handler then answers "Incorrect request parameter". */
const unparsable = new WeakSet<FastifyRequest>();

/**
 * Installs, on the vendor routes' scope only: body parsers that keep the raw bytes, and a hook
 * that verifies the signature of every request before its handler runs. A refused request gets
 * the vendor's envelope, code 100004 "Invalid key" with the reason in msg, HTTP 200 like every
 * other ArmCloud answer.
 */
export function installArmcloudSignatureCheck(scope: FastifyInstance, verifier: ArmcloudSignatureVerifier): void {
  scope.removeAllContentTypeParsers();
  // Any content type: a client might sign "application/json;charset=UTF-8" or send text/plain.
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    rawBodies.set(request, bytes);
    if (bytes.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch {
      unparsable.add(request);
      done(null, undefined);
    }
  });

  scope.addHook('preHandler', async (request, reply) => {
    const verification = verifier.verify({ headers: request.headers, body: rawBodies.get(request) ?? '' });
    if (!verification.ok) {
      return reply.send(errorEnvelope(ARMCLOUD_ERRORS.invalidKey, `${ARMCLOUD_ERRORS.invalidKey.msg}: ${verification.message}`));
    }
    if (unparsable.has(request)) {
      return reply.send(errorEnvelope(ARMCLOUD_ERRORS.badParameter, `${ARMCLOUD_ERRORS.badParameter.msg}: the body is not JSON`));
    }
  });
}
