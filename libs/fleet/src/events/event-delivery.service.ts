import { Injectable } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { OutboundHttp, SecretBox, WebhookSignature } from '@fleetgate/platform';
import { systemScope } from '../scope/access-scope';
import { EventDeliveryRepository } from './event-delivery.repository';

/** How long a subscriber has to answer one delivery. */
const DELIVERY_TIMEOUT_MS = 10_000;

/** Every stored delivery is sent; whom it may reach was settled when it was stored. */
const DELIVERY_SCOPE = systemScope('the worker sends every stored event delivery');

export interface DeliveryOutcome {
  delivered: boolean;
  statusCode?: number;
}

/** Signs a body the way subscribers verify it: hex HMAC-SHA256 of `<timestamp>.<body>`. */
/**
 * Posts one stored delivery to its subscriber with `X-Fleetgate-Signature: sha256=<hex>` and
 * `X-Fleetgate-Timestamp`; anything but a 2xx throws, so BullMQ retries it with backoff.
 */
@Injectable()
export class EventDeliveryService {
  private readonly box: SecretBox;

  constructor(
    private readonly deliveries: EventDeliveryRepository,
    private readonly outbound: OutboundHttp,
    config: FleetgateConfig,
  ) {
    this.box = new SecretBox(config.SECRETS_KEY, config.SECRETS_KEY_PREVIOUS);
  }

  async deliver(deliveryId: string, lastAttempt: boolean): Promise<DeliveryOutcome> {
    const delivery = await this.deliveries.findWithSubscription(DELIVERY_SCOPE, deliveryId);
    if (!delivery || delivery.status === 'delivered') return { delivered: true };
    if (!delivery.subscription.enabled) return { delivered: false };
    const body = JSON.stringify(delivery.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = WebhookSignature.sign(this.box.open(delivery.subscription.secretSealed), timestamp, body);
    let statusCode: number | undefined;
    let error: string | undefined;
    try {
      // The address is checked again when connecting: the host name may resolve elsewhere now than
      // when the URL was saved. A redirect is not followed; it is a failed delivery like any non-2xx.
      const response = await this.outbound.fetch(delivery.subscription.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-fleetgate-event': delivery.eventType,
          'x-fleetgate-delivery': delivery.id,
          'x-fleetgate-timestamp': String(timestamp),
          'x-fleetgate-signature': signature,
        },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      statusCode = response.status;
      await response.body?.cancel();
      if (!response.ok) error = `HTTP ${response.status}`;
    } catch (failure) {
      error = (failure as Error).message || 'request failed';
    }
    await this.deliveries.recordAttempt(DELIVERY_SCOPE, deliveryId, {
      statusCode: statusCode ?? null,
      error: error ?? null,
      outcome: error ? (lastAttempt ? 'failed' : undefined) : 'delivered',
    });
    if (error) throw new Error(`delivery ${deliveryId} to subscription ${delivery.subscriptionId}: ${error}`);
    return { delivered: true, statusCode };
  }
}
