import { Injectable } from '@nestjs/common';
import { SessionRepository } from './session.repository';

/**
 * Keeps the sessions table small (the worker's `sessions.purge-expired`). Apart from SessionService,
 * which signs tokens and reads the sign-in cache, so that the worker needs neither to purge.
 */
@Injectable()
export class SessionRetention {
  constructor(private readonly sessions: SessionRepository) {}

  /** Deletes sessions that expired or were revoked before `cutoff`; answers how many. */
  purgeEndedBefore(cutoff: Date): Promise<number> {
    return this.sessions.deleteEndedBefore(cutoff);
  }
}
