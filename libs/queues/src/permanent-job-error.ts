import { UnrecoverableError } from 'bullmq';

/**
 * A failure that another attempt cannot fix (bad payload, a vendor's "no such device"). BullMQ ends
 * the job at once instead of retrying it.
 */
export class PermanentJobError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}
