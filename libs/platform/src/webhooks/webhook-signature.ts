import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signed webhook's timestamp may be from now, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/**
 * Fleetgate's webhook signature, the same both ways (events out to subscribers, callbacks in from
 * relays that can sign): `X-Fleetgate-Timestamp: <unix seconds>` and
 * `X-Fleetgate-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the shared secret>`.
 * The timestamp inside the signed text makes a captured request useless after the tolerance.
 */
export const WebhookSignature = {
  sign(secret: string, timestamp: number, body: string | Buffer): string {
    return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
  },

  /** `ok`, or why the request is refused. */
  verify(
    secret: string,
    timestamp: string | undefined,
    signature: string | undefined,
    body: string | Buffer,
    nowSeconds = Math.floor(Date.now() / 1000),
  ): 'ok' | 'unsigned' | 'stale' | 'forged' {
    if (!timestamp || !signature) return 'unsigned';
    const at = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - at) > WEBHOOK_TOLERANCE_SECONDS) return 'stale';
    const expected = Buffer.from(WebhookSignature.sign(secret, at, body));
    const offered = Buffer.from(signature);
    return expected.length === offered.length && timingSafeEqual(expected, offered) ? 'ok' : 'forged';
  },
};
