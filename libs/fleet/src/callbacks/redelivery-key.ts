import { createHash, randomUUID } from 'node:crypto';
import type { VendorEvent } from '@fleetgate/vendors';

/**
 * The dedupe key a callback is stored under: equal keys are one callback delivered again, acknowledged
 * and not applied twice. None of the vendors gives a delivery id, so what makes two deliveries the
 * same callback is read from what the callback reports:
 *
 * - Task progress (ArmCloud task callbacks: taskId, padCode, taskStatus...): the SHA-256 of the body.
 *   A target's status only moves forward, so a task reports each status once and an equal body is that
 *   report again. Applying a target's outcome is guarded by its state besides.
 * - A state that carries its time (`at`): the SHA-256 of the body, time included.
 * - A state without a time or id (ArmCloud's instance state `{padStatus, padCode}`): a key of its own
 *   per delivery. A device can go 14, 10, 14, and the second 14 is a new report that the body cannot
 *   tell from a redelivery of the first; applying a state twice changes nothing, dropping a new one
 *   leaves the device in the wrong state.
 */
export function redeliveryKey(body: unknown, events: VendorEvent[]): string {
  const timelessState = events.some((event) => event.kind === 'device.status' && !event.at);
  if (timelessState) return `delivery:${randomUUID()}`;
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}
