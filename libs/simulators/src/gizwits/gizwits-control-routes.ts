import type { FastifyInstance } from 'fastify';
import type { GizwitsApplication } from './gizwits-application';
import type { GizwitsSchedulers } from './gizwits-schedulers';
import type { GizwitsState } from './gizwits-state';

/** Control routes for tests and demos (README.md lists them). */
export function registerControlRoutes(
  app: FastifyInstance,
  state: GizwitsState,
  application: GizwitsApplication,
  schedulers: GizwitsSchedulers,
): void {
  app.get('/_sim/gizwits/sms/:phone', async (request) => ({
    code: state.smsCodes.get((request.params as { phone: string }).phone) ?? null,
  }));
  app.get('/_sim/gizwits/captcha/:id', async (request) => ({
    code: state.captchas.get((request.params as { id: string }).id) ?? null,
  }));
  app.post('/_sim/gizwits/tokens/expire', async () => {
    for (const session of state.tokens.values()) session.expireAt = 0;
    return { expired: state.tokens.size };
  });
  app.post('/_sim/gizwits/tokens/revoke', async () => {
    const revoked = state.tokens.size;
    state.tokens.clear();
    return { revoked };
  });
  app.put('/_sim/gizwits/tokens', async (request, reply) => {
    const ttlSeconds = (request.body as { ttlSeconds?: unknown } | undefined)?.ttlSeconds;
    if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds) || ttlSeconds < 0) {
      return reply.code(400).send({ message: 'ttlSeconds must be an integer >= 0' });
    }
    application.tokenTtlSeconds = ttlSeconds;
    return { ttlSeconds };
  });
  app.put('/_sim/gizwits/quota', async (request, reply) => {
    const perSecond = (request.body as { requestsPerSecond?: unknown } | undefined)?.requestsPerSecond;
    if (perSecond !== null && (typeof perSecond !== 'number' || !Number.isInteger(perSecond) || perSecond < 0)) {
      return reply.code(400).send({ message: 'requestsPerSecond must be an integer >= 0, or null for no quota' });
    }
    application.setQuota(perSecond ?? undefined);
    return { requestsPerSecond: perSecond };
  });
  app.put('/_sim/gizwits/devices/:did', async (request, reply) => {
    const device = state.device((request.params as { did: string }).did);
    if (!device) return reply.code(404).send({ message: 'no such device' });
    const body = (request.body ?? {}) as { online?: boolean; passcode?: unknown };
    // A device reset and paired again gets a new passcode; bindings made before keep the old one.
    if (typeof body.passcode === 'string' && body.passcode) device.passcode = body.passcode;
    if (body.online !== undefined || body.passcode === undefined) {
      if (body.online !== false) state.offline.delete(device.index);
      else state.offline.add(device.index);
    }
    return { did: device.did, online: !state.offline.has(device.index), passcode: device.passcode };
  });
  app.post('/_sim/gizwits/schedulers/:id/fire', async (request, reply) => {
    const scheduler = state.schedulers.get((request.params as { id: string }).id);
    if (!scheduler) return reply.code(404).send({ message: 'no such scheduler' });
    return schedulers.fire(scheduler);
  });
  app.get('/_sim/gizwits/devices/:did/raw', async (request) => ({
    raw: state.device((request.params as { did: string }).did)?.lastRaw ?? null,
  }));
}
