import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ARMCLOUD_ERRORS, errorEnvelope } from './armcloud-envelope';
import { ARMCLOUD_DOCUMENT_HOST, ArmcloudSignatureVerifier } from './armcloud-signature';

/** The simulator's one account, so that local runs and tests need no set-up; options may name another. */
export const ARMCLOUD_DEMO_ACCESS_KEY = 'AKFLEETGATEDEMO0001';
export const ARMCLOUD_DEMO_SECRET_KEY = 'fleetgate-armcloud-demo-secret';

export interface ArmcloudCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What the ArmCloud simulator accepts; anything left out is the demo account's. */
export interface ArmcloudSimulatorOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  /** One more x-host to accept (a simulator reached under another name). */
  host?: string;
}

export function armcloudCredentials(options: ArmcloudSimulatorOptions = {}): ArmcloudCredentials {
  return {
    accessKeyId: options.accessKeyId ?? ARMCLOUD_DEMO_ACCESS_KEY,
    secretAccessKey: options.secretAccessKey ?? ARMCLOUD_DEMO_SECRET_KEY,
  };
}

/**
 * The simulator's verifier: the account of the options; x-host may be the host a request was sent
 * to, the document's domain, or the options' host.
 */
export function armcloudVerifier(options: ArmcloudSimulatorOptions = {}): ArmcloudSignatureVerifier {
  return new ArmcloudSignatureVerifier({
    ...armcloudCredentials(options),
    hosts: [ARMCLOUD_DOCUMENT_HOST, ...(options.host ? [options.host] : [])],
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
