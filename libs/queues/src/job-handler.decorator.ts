import { SetMetadata } from '@nestjs/common';
import type { JobName } from './job-catalog';

export const JOB_HANDLER_METADATA = 'fleetgate:job-handler';

/** Marks a provider method as the handler of one job name; QueueWorkers find it by discovery. */
export const HandlesJob = (name: JobName) => SetMetadata(JOB_HANDLER_METADATA, name);
