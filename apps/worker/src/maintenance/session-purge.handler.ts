import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SessionRetention } from '@fleetgate/auth';
import { HandlesJob, JobProducer, QueueName } from '@fleetgate/queues';

const DAY_MS = 86_400_000;

/** Keeps the sessions table small: expired or revoked sessions go a day after they end. */
@Injectable()
export class SessionPurgeHandler implements OnApplicationBootstrap {
  private readonly logger = new Logger(SessionPurgeHandler.name);

  constructor(
    private readonly sessions: SessionRetention,
    private readonly producer: JobProducer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A job scheduler, not a timer: several workers share one schedule and fire each tick once.
    await this.producer
      .queue(QueueName.Maintenance)
      .upsertJobScheduler('sessions.purge-expired', { every: 3_600_000 }, { name: 'sessions.purge-expired', data: {} });
  }

  @HandlesJob('sessions.purge-expired')
  async purge(): Promise<{ deleted: number }> {
    const cutoff = new Date(Date.now() - DAY_MS);
    const count = await this.sessions.purgeEndedBefore(cutoff);
    if (count) this.logger.log({ deleted: count }, 'purged ended sessions');
    return { deleted: count };
  }
}
