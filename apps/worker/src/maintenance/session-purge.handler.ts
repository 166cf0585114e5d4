import { Injectable, Logger } from '@nestjs/common';
import { SessionRetention } from '@fleetgate/auth';
import { HandlesJob } from '@fleetgate/queues';

const DAY_MS = 86_400_000;

/** Keeps the sessions table small: expired or revoked sessions go a day after they end. */
@Injectable()
export class SessionPurgeHandler {
  private readonly logger = new Logger(SessionPurgeHandler.name);

  constructor(private readonly sessions: SessionRetention) {}

  @HandlesJob('sessions.purge-expired')
  async purge(): Promise<{ deleted: number }> {
    const cutoff = new Date(Date.now() - DAY_MS);
    const count = await this.sessions.purgeEndedBefore(cutoff);
    if (count) this.logger.log({ deleted: count }, 'purged ended sessions');
    return { deleted: count };
  }
}
