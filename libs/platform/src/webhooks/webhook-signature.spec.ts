import { createHmac } from 'node:crypto';
import { WebhookSignature } from './webhook-signature';

describe('WebhookSignature', () => {
  const secret = 'shared-secret';
  const body = '{"taskId":"t1","status":2}';
  const now = 1_800_000_000;

  it('signs "<timestamp>.<body>" with HMAC-SHA256, hex, prefixed sha256=', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(WebhookSignature.sign(secret, now, body)).toBe(`sha256=${expected}`);
  });

  it('accepts its own signature within five minutes either way', () => {
    for (const skew of [-300, 0, 300]) {
      const signature = WebhookSignature.sign(secret, now + skew, body);
      expect(WebhookSignature.verify(secret, String(now + skew), signature, Buffer.from(body), now)).toBe('ok');
    }
  });

  it('refuses stale, forged and unsigned requests', () => {
    const old = now - 301;
    expect(WebhookSignature.verify(secret, String(old), WebhookSignature.sign(secret, old, body), body, now)).toBe(
      'stale',
    );
    expect(WebhookSignature.verify(secret, String(now), WebhookSignature.sign('other', now, body), body, now)).toBe(
      'forged',
    );
    expect(
      WebhookSignature.verify(secret, String(now), WebhookSignature.sign(secret, now, body), `${body} `, now),
    ).toBe('forged');
    expect(WebhookSignature.verify(secret, 'soon', 'sha256=00', body, now)).toBe('stale');
    expect(WebhookSignature.verify(secret, undefined, undefined, body, now)).toBe('unsigned');
  });
});
