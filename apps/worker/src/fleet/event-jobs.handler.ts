import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { EventDeliveryService } from '@fleetgate/fleet';
import { HandlesJob, type JobPayloads } from '@fleetgate/queues';

/** Fleetgate's events to their subscribers' webhooks. */
@Injectable()
export class EventJobsHandler {
  constructor(private readonly deliveries: EventDeliveryService) {}

  @HandlesJob('events.deliver')
  deliver(payload: JobPayloads['events.deliver'], job: Job) {
    // The last attempt marks the delivery failed (it can be redelivered from the API).
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.deliveries.deliver(payload.deliveryId, lastAttempt);
  }
}
